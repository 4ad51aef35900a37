"""First-stop coding: a batch gets its trace code only with its three certificates
attached and valid; bad files and expired certificates are refused, naming the field, and
nothing of a refused request is written."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from epicommand.coldchain import codes
from epicommand.coldchain.models import Certificate, ChainEvent, Holding
from epicommand.coldchain.services import batches
from epicommand.core.models import AuditEvent

from .chain_world import attach_all, declare, pdf_file, png_bytes

K = Certificate.Kind


def test_a_batch_is_coded_once_its_three_certificates_are_attached(chain):
    batch = declare(chain.importer_user)
    attach_all(chain.importer_user, batch)
    code = batches.code_batch(chain.importer_user, batch)
    assert codes.resolve(code).pk == batch.pk
    holding = Holding.objects.get(batch=batch)
    assert (holding.enterprise, holding.on_hand) == (chain.importer, 100)
    assert ChainEvent.objects.get(batch=batch).biz_step == ChainEvent.Step.COMMISSIONING
    batch.refresh_from_db()
    assert batch.keep_until.year - timezone.localdate().year == 2


def test_a_batch_missing_a_certificate_is_not_coded(chain):
    batch = declare(chain.importer_user)
    today = timezone.localdate()
    for kind in (K.CUSTOMS, K.DISINFECTION):
        batches.attach_certificate(
            chain.importer_user,
            batch,
            kind=kind,
            number="N1",
            issued_on=today,
            valid_until=today + timedelta(days=10),
            upload=pdf_file(),
        )
    with pytest.raises(ValidationError) as refused:
        batches.code_batch(chain.importer_user, batch)
    assert "certificates.nucleic_acid" in refused.value.message_dict
    batch.refresh_from_db()
    assert batch.coded_at is None and not Holding.objects.exists()


def test_an_image_certificate_is_accepted_by_its_content(chain):
    batch = declare(chain.importer_user)
    today = timezone.localdate()
    upload = SimpleUploadedFile("scan.jpg", png_bytes())  # named .jpg, is a PNG
    cert = batches.attach_certificate(
        chain.importer_user,
        batch,
        kind=K.CUSTOMS,
        number="C1",
        issued_on=today,
        valid_until=today,
        upload=upload,
    )
    assert cert.content_type == "image/png"


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00 an executable renamed", b"\x89PNG\r\n\x1a\n but no image after", b""],
)
def test_a_file_that_is_not_a_pdf_or_image_is_refused_and_nothing_written(chain, content):
    batch = declare(chain.importer_user)
    audits = AuditEvent.objects.count()
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        batches.attach_certificate(
            chain.importer_user,
            batch,
            kind=K.CUSTOMS,
            number="C1",
            issued_on=today,
            valid_until=today,
            upload=SimpleUploadedFile("certificate.pdf", content),
        )
    assert "file" in refused.value.message_dict
    assert not Certificate.objects.exists()
    assert AuditEvent.objects.count() == audits


def test_an_expired_certificate_is_refused(chain):
    batch = declare(chain.importer_user)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        batches.attach_certificate(
            chain.importer_user,
            batch,
            kind=K.DISINFECTION,
            number="D1",
            issued_on=today - timedelta(days=20),
            valid_until=today - timedelta(days=1),
            upload=pdf_file(),
        )
    assert "valid_until" in refused.value.message_dict


def test_a_nucleic_acid_test_older_than_the_policy_days_is_refused(chain):
    batch = declare(chain.importer_user)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        batches.attach_certificate(
            chain.importer_user,
            batch,
            kind=K.NUCLEIC_ACID,
            number="N1",
            issued_on=today - timedelta(days=8),
            valid_until=today + timedelta(days=5),
            upload=pdf_file(),
        )
    assert "issued_on" in refused.value.message_dict


def test_a_certificate_that_expires_before_coding_blocks_the_code(chain):
    batch = declare(chain.importer_user)
    earlier = timezone.now() - timedelta(days=3)
    attach_all(chain.importer_user, batch, now=earlier)
    Certificate.objects.filter(kind=K.CUSTOMS).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(ValidationError) as refused:
        batches.code_batch(chain.importer_user, batch)
    assert "certificates.customs" in refused.value.message_dict


def test_only_a_first_stop_declares_batches(chain):
    with pytest.raises(ValidationError) as refused:
        declare(chain.store_user)
    assert "enterprise" in refused.value.message_dict


def test_forged_and_unknown_trace_codes_name_no_batch(chain):
    batch = declare(chain.importer_user)
    with pytest.raises(codes.InvalidTraceCode) as forged:
        codes.resolve(f"CC{batch.pk}-00000000.forgedsignature")
    assert forged.value.reason == "forged"
    batch.code_nonce = "abcd1234"
    with pytest.raises(codes.InvalidTraceCode) as unknown:
        codes.resolve(codes.trace_code(batch))  # signed here, but the batch is not coded
    assert unknown.value.reason == "unknown"
