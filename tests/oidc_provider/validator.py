"""Claims of the test provider: e-mail, whether it is verified, and the names."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    # Users in the group "unverified" stand for accounts whose address the provider never checked.
    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": not user.groups.filter(name="unverified").exists(),
            "given_name": user.first_name,
            "family_name": user.last_name,
        }
