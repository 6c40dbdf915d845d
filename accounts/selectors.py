from allauth.account.models import EmailAddress


def has_verified_email(user) -> bool:
    """Whether the account has confirmed the email address that App notices go to."""
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
