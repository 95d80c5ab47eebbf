"""Output shapes of the referrals API (it only reads). Money is a string with 2 decimals. What an
investor sees of the users they referred is their first name, join date, whether they invested
and the commission earned from them: never an email or a balance."""

from rest_framework import serializers

from apps.common.api.serializers import MoneyField

# The referred users listed in `referrals/stats/` (the newest; the full list is paginated).
STATS_REFERRALS_MAX = 100


class ReferralCodeSerializer(serializers.Serializer):
    referral_code = serializers.CharField(help_text="The caller's code (8 characters, any case accepted at sign-up).")
    referral_link = serializers.URLField(help_text="The sign-up link carrying the code: `{SITE_URL}/r/<code>/`.")


class ReferralPackSerializer(serializers.Serializer):
    """A referral milestone ("pack"): reach `required_referrals` qualified referrals, earn `reward_amount`."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    required_referrals = serializers.IntegerField(
        help_text="Qualified referrals needed: referred users who have bought at least one plan."
    )
    reward_amount = MoneyField(help_text="Paid once to the available balance when reached.")
    icon = serializers.CharField(help_text="An icon name (`trophy`, `bronze`, `silver`, `gold`, …) or an emoji.")


class ReferralPackProgressSerializer(serializers.Serializer):
    """An active milestone (under `pack`, the original's nesting) and the caller's progress."""

    pack = ReferralPackSerializer(source="*")
    achieved = serializers.BooleanField(help_text="The caller has at least `required_referrals` qualified referrals.")
    awarded = serializers.BooleanField(
        help_text="The reward has been paid (granted by an hourly job, so shortly after `achieved`)."
    )


class MyReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="first_name", help_text="First name only.")
    joined_at = serializers.DateTimeField(source="date_joined")
    has_invested = serializers.BooleanField(help_text="Has bought at least one plan (a qualified referral).")
    commission_earned = MoneyField(help_text="Commissions the caller earned from this user's investments.")


class ReferralStatsSerializer(serializers.Serializer):
    total_referrals = serializers.IntegerField(help_text="Users who signed up with the caller's code.")
    qualified_referrals = serializers.IntegerField(help_text="Of those, the ones who have bought at least one plan.")
    total_commission = MoneyField(help_text="Every referral commission the caller earned, all levels.")
    referrals = MyReferralSerializer(
        many=True,
        help_text=(
            "The users the caller referred, as in `referrals/my-referrals/`, newest first: at most the newest "
            f"{STATS_REFERRALS_MAX} (`total_referrals` counts them all; `referrals/my-referrals/` pages through "
            "every one)."
        ),
    )
    packs = ReferralPackProgressSerializer(many=True, help_text="Each active milestone with the caller's progress.")


class AffiliateSerializer(serializers.Serializer):
    """A referrer. `user`, `user_email` and `referral_count` are the original API's names (its
    `referral_count` counted commission rows; here it counts referred users, as `total_referrals`)."""

    id = serializers.IntegerField(help_text="The referrer's user id.")
    user = serializers.IntegerField(source="pk", help_text="The referrer's user id (as every admin list row).")
    user_email = serializers.EmailField(source="email")
    email = serializers.EmailField()
    name = serializers.CharField(source="full_name")
    referral_code = serializers.CharField()
    is_active = serializers.BooleanField()
    joined_at = serializers.DateTimeField(source="date_joined")
    referral_count = serializers.IntegerField(source="total_referrals", help_text="The same as `total_referrals`.")
    total_referrals = serializers.IntegerField(help_text="Users who signed up with this user's code.")
    qualified_referrals = serializers.IntegerField(help_text="Of those, the ones who have bought at least one plan.")
    total_commission = MoneyField(help_text="Referral commissions earned, all levels.")
    rewards = MoneyField(help_text="Milestone rewards granted.")


class AffiliateSummarySerializer(serializers.Serializer):
    total_referrals = serializers.IntegerField()
    total_commissions = MoneyField()
    active_referrers = serializers.IntegerField()
