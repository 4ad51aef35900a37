"""The batch page's certificate upload: the first stop attaches the three certificates on
its batch page (the API's service, the same refusals); a file that is not a PDF or image by
its content, or a certificate past its validity, is refused naming the field and nothing is
stored; the label appears only once all three are valid; nobody else may attach."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from epicommand.coldchain.models import Batch, Certificate

from .chain_world import PDF, declare, png_bytes


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def upload(client, batch, kind, *, content=PDF, name="cert.pdf", issued=1, valid=30):
    today = timezone.localdate()
    return client.post(
        f"/cold-chain/batches/{batch.pk}/",
        {
            "c-kind": kind,
            "c-number": f"{kind}-7",
            "c-issued_on": (today - timedelta(days=issued)).isoformat(),
            "c-valid_until": (today + timedelta(days=valid)).isoformat(),
            "c-file": SimpleUploadedFile(name, content),
        },
    )


def test_the_label_appears_only_when_all_three_are_attached(chain):
    batch = declare(chain.importer_user)
    client = logged_in(chain.importer_user)
    page = client.get(f"/cold-chain/batches/{batch.pk}/")
    assert b'id="certificate-form"' in page.content and b'id="label"' not in page.content
    assert upload(client, batch, "customs").status_code == 302
    image = upload(client, batch, "nucleic_acid", content=png_bytes(), name="t.png")
    assert image.status_code == 302
    page = client.get(f"/cold-chain/batches/{batch.pk}/")
    assert b'id="label"' not in page.content
    waiting = [row["kind"] for row in page.context["certificates"] if row["problem"]]
    assert waiting == [Certificate.Kind.DISINFECTION.label]
    assert upload(client, batch, "disinfection").status_code == 302
    page = client.get(f"/cold-chain/batches/{batch.pk}/")
    assert b'id="label"' in page.content and b"<svg" in page.content
    assert b'id="certificate-form"' not in page.content
    batch.refresh_from_db()
    assert batch.coded_at is not None and batch.keep_until is not None
    kinds = dict(batch.certificates.values_list("kind", "content_type"))
    assert kinds["nucleic_acid"] == "image/png"


def test_a_renamed_file_is_refused_naming_the_file(chain):
    batch = declare(chain.importer_user)
    response = upload(logged_in(chain.importer_user), batch, "customs", content=b"MZ\x90\x00exe")
    assert response.status_code == 200
    assert "file" in response.context["certificate_form"].errors
    assert not Certificate.objects.filter(batch=batch).exists()


def test_a_certificate_past_its_validity_is_refused_naming_the_date(chain):
    batch = declare(chain.importer_user)
    client = logged_in(chain.importer_user)
    expired = upload(client, batch, "customs", issued=40, valid=-1)
    assert "valid_until" in expired.context["certificate_form"].errors
    stale_test = upload(client, batch, "nucleic_acid", issued=30)
    assert "issued_on" in stale_test.context["certificate_form"].errors
    assert not Certificate.objects.filter(batch=batch).exists()


def test_a_missing_field_is_named(chain):
    batch = declare(chain.importer_user)
    response = logged_in(chain.importer_user).post(
        f"/cold-chain/batches/{batch.pk}/", {"c-kind": "customs", "c-number": "1"}
    )
    errors = response.context["certificate_form"].errors
    assert {"issued_on", "valid_until", "file"} <= set(errors)


def test_only_the_first_stop_attaches(chain, gaocheng_regulator, changan_regulator):
    batch = declare(chain.importer_user)
    official = logged_in(gaocheng_regulator)
    page = official.get(f"/cold-chain/batches/{batch.pk}/")
    assert page.status_code == 200 and b'id="certificate-form"' not in page.content
    assert upload(official, batch, "customs").status_code == 200
    assert upload(logged_in(chain.store_user), batch, "customs").status_code == 404
    assert upload(logged_in(changan_regulator), batch, "customs").status_code == 404
    assert not Certificate.objects.filter(batch=batch).exists()
    assert Batch.objects.get(pk=batch.pk).coded_at is None
