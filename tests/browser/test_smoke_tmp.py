import pytest

pytestmark = pytest.mark.browser


def test_login_page(tab, admin_user):
    tab.sign_in(admin_user.username, admin_user.totp_secret)
    for p in ["/staff/", "/staff/invite/", "/me/preferences/", "/accounts/2fa/", "/audit/", "/teams/new/"]:
        try:
            tab.visit(p)
        except AssertionError as e:
            print(e)
    print(tab.navigations)
