"""A small cold chain: a Gaocheng first-stop importer, a Chang'an cold store, a Gaocheng
wholesaler and market retailer, each with an enterprise account, registered by the market
regulators; county command offices to receive tasks; certificate files to attach."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from epicommand.coldchain.models import Certificate, Enterprise
from epicommand.coldchain.services import batches, enterprises
from epicommand.core.models import Role, Unit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


def pdf_file(name="certificate.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def offices(city):
    return {
        code: Unit.objects.create(
            name=f"{code} 疫情防控指挥部办公室", kind=Unit.Kind.COMMAND_OFFICE, region_id=code
        )
        for code in (city.gaocheng.code, city.changan.code)
    }


@pytest.fixture
def city_regulator(make_user, city):
    return make_user("city_regulator", Role.MARKET_REGULATOR, city.sjz)


@pytest.fixture
def gaocheng_regulator(make_user, city):
    unit = Unit.objects.create(
        name="藁城区市场监督管理局", kind=Unit.Kind.MARKET_REGULATION, region=city.gaocheng
    )
    return make_user("gaocheng_regulator", Role.MARKET_REGULATOR, city.gaocheng, unit)


@pytest.fixture
def changan_regulator(make_user, city):
    unit = Unit.objects.create(
        name="长安区市场监督管理局", kind=Unit.Kind.MARKET_REGULATION, region=city.changan
    )
    return make_user("changan_regulator", Role.MARKET_REGULATOR, city.changan, unit)


def _enterprise(regulator, name, code, kind, region, username, make_user):
    enterprise = enterprises.register_enterprise(
        regulator,
        name=name,
        credit_code=code,
        kind=kind,
        region_code=region.code,
        address=f"{region.name} 1 号",
    )
    user = make_user(username, Role.COLDCHAIN_ENTERPRISE, region)
    enterprises.bind_account(regulator, enterprise, user)
    return enterprise, user


@pytest.fixture
def chain(city, make_user, city_regulator, offices):
    """importer (Gaocheng) -> cold store (Chang'an) -> wholesaler (Gaocheng) -> market
    retailer (Gaocheng), and a second retailer in Chang'an."""
    K = Enterprise.Kind
    made = {}
    for key, name, code, kind, region in (
        ("importer", "河北冷链进口有限公司", "91130100MA0000001A", K.FIRST_STOP, city.zengcun),
        ("store", "长安冷库", "91130100MA0000002B", K.COLD_STORE, city.street),
        ("wholesaler", "藁城批发", "91130100MA0000003C", K.WHOLESALER, city.gaocheng),
        ("market", "增村农贸市场", "91130100MA0000004D", K.RETAILER, city.xgz),
        ("shop", "建北超市", "91130100MA0000005E", K.RETAILER, city.community),
    ):
        made[key], made[f"{key}_user"] = _enterprise(
            city_regulator, name, code, kind, region, f"{key}_staff", make_user
        )
    return type("Chain", (), made)


def declare(importer_user, batch_number="B-001", quantity=100, **overrides):
    fields = dict(
        product="冷冻带鱼",
        specification="10 kg/箱",
        origin_country="Ecuador",
        batch_number=batch_number,
        container_number="MSKU1234567",
        seal_number="SEAL778899",
        customs_declaration="530120201234567890",
        quantity=quantity,
        weight_kg=Decimal("1000.00"),
    )
    fields.update(overrides)
    return batches.declare_batch(importer_user, **fields)


def attach_all(importer_user, batch, *, now=None):
    today = timezone.localdate(now or timezone.now())
    for kind in Certificate.Kind:
        batches.attach_certificate(
            importer_user,
            batch,
            kind=kind,
            number=f"{kind}-1",
            issued_on=today - timedelta(days=1),
            valid_until=today + timedelta(days=30),
            upload=pdf_file(),
            now=now,
        )


def coded_batch(importer_user, batch_number="B-001", quantity=100):
    batch = declare(importer_user, batch_number, quantity)
    attach_all(importer_user, batch)
    code = batches.code_batch(importer_user, batch)
    batch.refresh_from_db()
    return batch, code
