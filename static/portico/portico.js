// Portico's small behaviours. No inline handlers: the CSP allows only scripts from this origin.
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  if (!source) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(() => {
    button.textContent = "Copied";
  });
});

// A refused form comes back in place (422): take the user to the first field to fix, which
// may be far above the button they pressed.
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.xhr?.status !== 422) return;
  const field = document.querySelector(".has-error :is(input, textarea, select)");
  if (field) field.focus();
});

// Shown-once keys and tokens: a modal dialog. However it closes ("I have saved it", which is a
// method="dialog" form, or Escape), the dialog and its values leave the page.
function openShownOnce(root) {
  root.querySelectorAll("dialog[data-shown-once][open]").forEach((dialog) => {
    dialog.close();
    dialog.showModal();
  });
}
document.addEventListener("DOMContentLoaded", () => openShownOnce(document));
document.addEventListener("htmx:load", (event) => openShownOnce(event.target));
// "close" does not bubble: listen in the capture phase. openShownOnce's own close() also fires
// one, later, when the dialog is open again as a modal: that one is not the user closing it.
document.addEventListener(
  "close",
  (event) => {
    const dialog = event.target;
    if (!(dialog instanceof HTMLDialogElement) || !dialog.matches("[data-shown-once]")) return;
    if (!dialog.open) dialog.remove();
  },
  true,
);

// Dangerous htmx requests (hx-confirm) ask in Portico's dialog instead of window.confirm.
// A regeneration with a grace period says how long the old value keeps working.
document.addEventListener("htmx:confirm", (event) => {
  const { elt, question } = event.detail;
  const dialog = document.getElementById("confirm-dialog");
  if (!question || !dialog) return;
  event.preventDefault();
  const grace = elt.querySelector("select[name$='grace']");
  const text =
    grace?.value && elt.dataset.confirmGrace
      ? elt.dataset.confirmGrace.replace("{grace}", grace.selectedOptions[0].text)
      : question;
  dialog.querySelector("[data-confirm-question]").textContent = text;
  dialog.returnValue = "";
  dialog.addEventListener(
    "close",
    () => {
      if (dialog.returnValue === "confirm") event.detail.issueRequest(true);
    },
    { once: true },
  );
  dialog.showModal();
});

// A failed htmx request changes nothing on the page, so say so next to what was sent, and
// leave what the user typed in place.
const REQUEST_FAILED = {
  403:
    "Not saved: Portico refused this request, most likely because you signed in or out in " +
    "another tab. What you typed is still here: copy it, reload the page and try again.",
  404: "Not saved: this is gone, or belongs to another account. Reload the page.",
  429: "Not saved: too many changes in a short time. Wait a few minutes, then try again.",
};
function requestFailedText(event) {
  if (event.type === "htmx:sendError") {
    return (
      "Not saved: Portico could not be reached. Check your connection; what you typed is " +
      "still here, so try again in a moment."
    );
  }
  const status = event.detail.xhr?.status;
  if (REQUEST_FAILED[status]) return REQUEST_FAILED[status];
  if (status >= 500) {
    return (
      "Not saved: something went wrong on Portico's side. What you typed is still here; " +
      "try again in a moment."
    );
  }
  return `Not saved: Portico answered with error ${status}. Reload the page and try again.`;
}
function showRequestFailed(event) {
  const elt = event.detail.elt;
  if (!(elt instanceof Element) || !elt.isConnected) return;
  const form = elt.closest("form") ?? elt;
  form.querySelectorAll(".notice.success").forEach((notice) => notice.remove());
  let note = form.querySelector("[data-request-failed]");
  if (!note) {
    note = document.createElement("p");
    note.className = "notice error";
    note.setAttribute("role", "alert");
    note.dataset.requestFailed = "";
    const actions = form.querySelector(".form-actions");
    if (actions) actions.append(note);
    else if (form === elt && form.tagName === "FORM") form.append(note);
    else form.after(note);
  }
  note.textContent = requestFailedText(event);
}
document.addEventListener("htmx:responseError", showRequestFailed);
document.addEventListener("htmx:sendError", showRequestFailed);
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt.closest?.("form");
  form?.querySelectorAll("[data-request-failed]").forEach((note) => note.remove());
});
