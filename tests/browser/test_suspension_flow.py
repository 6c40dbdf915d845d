"""An operator suspends an App in the admin; its developer sees the banner at once."""

import pytest

from tests.conftest import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_developer_sees_the_banner_after_an_operator_suspends_the_app(
    page, browser, live_server, django_user_model, user, app
):
    django_user_model.objects.create_superuser(email="ops@example.com", password=PASSWORD)
    operator = browser.new_context(base_url=live_server.url).new_page()
    operator.goto("/admin/login/")
    operator.fill("input[name=username]", "ops@example.com")
    operator.fill("input[name=password]", PASSWORD)
    operator.click("input[type=submit]")
    operator.goto("/admin/apps/app/")
    operator.check(f"input[name=_selected_action][value='{app.pk}']")
    operator.select_option("select[name=action]", "suspend")
    operator.click("button[name=index]")
    operator.select_option("select[name=policy_area]", "automation_rules")
    operator.fill("textarea[name=explanation]", "Replies to every post within a second.")
    operator.click("input[type=submit][value='Suspend these Apps']")
    operator.wait_for_selector("text=Suspended 1 App(s)")
    operator.context.close()

    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    assert page.locator(".tag.status-suspended").inner_text() == "suspended"
    page.click("text=Storm Bot")
    banner = page.locator("#suspension-banner")
    assert "This App is suspended" in banner.inner_text()
    assert "Replies to every post within a second." in banner.inner_text()
    banner.get_by_role("link", name="platform help form").click()
    page.wait_for_url("**/help/new/**")
    assert page.locator("#id_category_0").is_checked()
