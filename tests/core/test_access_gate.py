"""core.access.require: the one gate every service passes (DESIGN rule 9)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from epicommand.core.access import Capability, require
from epicommand.core.models import Role
from epicommand.core.services import revoke_api_token
from tests.tokens import live_token

C = Capability


@pytest.fixture
def gaocheng_token(city, city_office):
    token, _secret = live_token(
        name="Zengcun door",
        role=Role.EPIDEMIOLOGIST,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    return token


def refusal(*args, **kwargs) -> str:
    with pytest.raises(PermissionDenied) as refused:
        require(*args, **kwargs)
    return str(refused.value)


def test_the_platform_acting_alone_is_refused_unless_the_service_says_so(city):
    assert "person's account or an API token" in refusal(None, C.INVESTIGATE)
    require(None, C.INVESTIGATE, region=city.changan.code, platform=True)


def test_a_user_with_the_capability_inside_their_jurisdiction_passes(city, gaocheng_epi):
    require(gaocheng_epi, C.INVESTIGATE, region=city.xgz.code)


def test_a_role_without_the_capability_is_refused_naming_it(supervisor):
    assert refusal(supervisor, C.INVESTIGATE) == "your role may not do this (case.investigate)"


def test_any_one_of_several_capabilities_is_enough(gaocheng_epi):
    require(gaocheng_epi, C.RECORD_RESULTS, C.VIEW_CASES)
    assert "testing.results / quarantine.work" in refusal(
        gaocheng_epi, C.RECORD_RESULTS, C.WORK_QUARANTINE
    )


def test_a_region_outside_the_jurisdiction_is_refused_naming_it(city, gaocheng_epi):
    message = refusal(gaocheng_epi, C.INVESTIGATE, region=city.community.code)
    assert message == "region 130102001001 is outside your jurisdiction"


def test_the_city_office_covers_every_county(city, city_office):
    require(city_office, C.INVESTIGATE, region=city.community.code)
    require(city_office, C.INVESTIGATE, region=city.xgz.code)


def test_an_inactive_user_is_refused_whatever_their_role(city, gaocheng_epi):
    gaocheng_epi.is_active = False
    assert refusal(gaocheng_epi, C.INVESTIGATE) == "your account is not active"
    assert refusal(gaocheng_epi, region=city.xgz.code) == "your account is not active"


def test_a_token_carries_its_role_and_scope_like_a_user(city, gaocheng_token):
    require(gaocheng_token, C.INVESTIGATE, region=city.xgz.code)
    assert "outside your jurisdiction" in refusal(
        gaocheng_token, C.INVESTIGATE, region=city.community.code
    )
    assert "checkpoint.manage" in refusal(gaocheng_token, C.MANAGE_CHECKPOINTS)


def test_a_revoked_token_is_refused(city, city_office, gaocheng_token):
    revoke_api_token(city_office, gaocheng_token, reason="device lost")
    assert refusal(gaocheng_token, C.VIEW_CASES) == "your account is not active"


def test_a_token_is_refused_where_the_service_asks_for_a_person(gaocheng_epi, gaocheng_token):
    require(gaocheng_epi, C.INVESTIGATE, person=True)
    assert "person's account, not an API token" in refusal(
        gaocheng_token, C.INVESTIGATE, person=True
    )


def test_refusals_are_translated(city, gaocheng_epi, supervisor, gaocheng_token):
    with translation.override("zh-hans"):
        assert refusal(None, C.VIEW_CASES) == "此操作需要个人账号或 API 令牌"
        assert refusal(supervisor, C.INVESTIGATE) == "您的角色无权进行此操作（case.investigate）"
        assert (
            refusal(gaocheng_epi, region=city.community.code) == "地区 130102001001 不在您的辖区内"
        )
        assert refusal(gaocheng_token, person=True) == "此操作须由个人账号完成，API 令牌不能进行"
        gaocheng_epi.is_active = False
        assert refusal(gaocheng_epi, C.VIEW_CASES) == "您的账号已停用"
