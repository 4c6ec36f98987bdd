"""TLS to the mail servers, with certificates signed by a town hall's own CA (``tls_ca_file``).

A throw-away CA signs a certificate for localhost / 127.0.0.1. Replies go through the real
outbox to aiosmtpd (STARTTLS and implicit TLS); polling logs in to a second Dovecot started with
that certificate (STARTTLS and implicit TLS). Certificates are always verified: without the CA,
the connection fails.
"""

from __future__ import annotations

import datetime
import grp
import ipaddress
import os
import pwd
import shutil
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from civique.channels.connectors.base import TransportError
from civique.channels.connectors.email import imap
from civique.inbox.actions import reply_to_conversation
from civique.inbox.models import DeliveryState, Message
from civique.inbox.outbox import deliver_due
from tests.channels.mail import eml, ingest
from tests.services import reachable, required
from tests.smtp import Recorder, free_port

# --- A throw-away CA and a server certificate ------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def make_certificates(directory: Path) -> dict[str, Path]:
    """Write ``ca.pem``, ``server.pem`` (localhost, 127.0.0.1) and ``server.key``."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("CA interne de la mairie de Valmont"))
        .issuer_name(_name("CA interne de la mairie de Valmont"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = {
        "ca": directory / "ca.pem",
        "cert": directory / "server.pem",
        "key": directory / "server.key",
    }
    paths["ca"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(_pem_key(key))
    return paths


@pytest.fixture
def certs(tmp_path) -> dict[str, Path]:
    return make_certificates(tmp_path)


def server_context(certs: dict[str, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs["cert"], certs["key"])
    return context


# --- SMTP -------------------------------------------------------------------------------------


@pytest.fixture(params=["starttls", "ssl"])
def tls_smtp(request, certs):
    """aiosmtpd on 127.0.0.1 with the server certificate: STARTTLS required, or implicit TLS."""
    recorder = Recorder()
    context = server_context(certs)
    if request.param == "starttls":
        tls = {"tls_context": context, "require_starttls": True}
    else:
        tls = {"ssl_context": context}
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), **tls)
    controller.start()
    yield request.param, controller, recorder
    controller.stop()


def reply_through(agent, channel, security: str, port: int, **settings) -> Message:
    channel.settings.update(
        smtp_host="127.0.0.1", smtp_port=port, smtp_security=security, **settings
    )
    channel.save()
    event = ingest(channel, eml("depot-sauvage-windows-1252.eml"))
    conversation = Message.objects.get(pk=event.message_ids[0]).conversation
    message = reply_to_conversation(agent, conversation, "Bonjour, nous passons demain.")
    deliver_due()
    message.refresh_from_db()
    return message


@pytest.mark.smtp
def test_a_reply_leaves_over_tls_verified_with_the_channels_ca(
    agent, email_channel, tls_smtp, certs
):
    security, controller, recorder = tls_smtp
    message = reply_through(
        agent, email_channel, security, controller.port, tls_ca_file=str(certs["ca"])
    )
    assert message.delivery.state == DeliveryState.SENT
    ((_from, rcpt_tos, sent),) = recorder.received
    assert rcpt_tos == ["renee.lefevre@orange.fr"]
    assert message.external_id == sent["Message-ID"]


@pytest.mark.smtp
def test_a_certificate_from_an_unknown_ca_is_refused(agent, email_channel, tls_smtp):
    security, controller, recorder = tls_smtp
    message = reply_through(agent, email_channel, security, controller.port)
    delivery = message.delivery
    assert delivery.state == DeliveryState.FAILED
    assert "Échec de la connexion sécurisée" in delivery.last_error
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_error
    assert message.external_id is None
    assert recorder.received == []


@pytest.mark.smtp
@pytest.mark.parametrize("problem", ["missing", "not_pem"])
def test_an_unusable_ca_file_fails_the_delivery_for_good(
    agent, email_channel, tls_smtp, tmp_path, problem
):
    security, controller, recorder = tls_smtp
    ca_file = tmp_path / "absent.pem"
    if problem == "not_pem":
        ca_file.write_text("ceci n'est pas un certificat\n")
    message = reply_through(
        agent, email_channel, security, controller.port, tls_ca_file=str(ca_file)
    )
    delivery = message.delivery
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error.startswith("Fichier d'autorités de certification tls_ca_file")
    assert str(ca_file) in delivery.last_error
    assert recorder.received == []


# --- IMAP: a second Dovecot, with TLS ---------------------------------------------------------

DOVECOT_CONF = """\
base_dir = {dir}/run
state_dir = {dir}/run/state
log_path = {dir}/dovecot.log
instance_name = civique-tls
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{dir}/server.pem
ssl_key = <{dir}/server.key
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_uid = {mail_user}
mail_gid = {mail_group}
mail_location = maildir:{dir}/mail/%u
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {starttls_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={dir}/mail/%u
}}
"""


def _dovecot_or_skip() -> str:
    dovecot = shutil.which("dovecot") or "/usr/sbin/dovecot"
    problem = ""
    if not os.access(dovecot, os.X_OK):
        problem = "Dovecot n'est pas installé"
    elif os.geteuid() != 0:
        problem = "lancer un second Dovecot demande les droits root"
    else:
        version = subprocess.run([dovecot, "--version"], capture_output=True, text=True).stdout
        if not version.startswith("2.3."):
            problem = f"configuration écrite pour Dovecot 2.3 (trouvé {version.strip()})"
    if problem:
        if required():
            pytest.fail(problem + " (CIVIQUE_REQUIRE_SERVICES=1)")
        pytest.skip(problem)
    return dovecot


@pytest.fixture(scope="module")
def tls_dovecot():
    """Dovecot on two free ports (STARTTLS, implicit TLS) with the throw-away certificate.

    Its directory is made under /tmp, traversable by the unprivileged mail user and short enough
    for Dovecot's sockets.
    """
    dovecot = _dovecot_or_skip()
    directory = Path(tempfile.mkdtemp(prefix="civique-dovecot-tls-"))
    directory.chmod(0o755)
    certs = make_certificates(directory)
    (directory / "passwd").write_text("mairie:{PLAIN}mairie-test::::::\n")
    # Mail files belong to an unprivileged account (Dovecot refuses uid 0), as in .ci/dovecot.sh.
    mail_user = "nobody"
    mail_group = grp.getgrgid(pwd.getpwnam(mail_user).pw_gid).gr_name
    (directory / "mail").mkdir()
    shutil.chown(directory / "mail", mail_user, mail_group)
    ports = {"starttls": free_port(), "ssl": free_port()}
    conf = directory / "dovecot.conf"
    conf.write_text(
        DOVECOT_CONF.format(
            dir=directory,
            mail_user=mail_user,
            mail_group=mail_group,
            starttls_port=ports["starttls"],
            ssl_port=ports["ssl"],
        )
    )
    subprocess.run([dovecot, "-c", str(conf)], check=True)
    try:
        for _attempt in range(50):
            if all(reachable("127.0.0.1", port, timeout=0.2) for port in ports.values()):
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"Dovecot TLS ne répond pas ; voir {directory}/dovecot.log")
        yield ports, certs
    finally:
        subprocess.run([dovecot, "-c", str(conf), "stop"], check=False)
        shutil.rmtree(directory, ignore_errors=True)


def imap_conf(ports: dict[str, int], security: str, ca_file: str = "") -> imap.ImapSettings:
    return imap.ImapSettings(
        host="127.0.0.1",
        port=ports[security],
        security=security,
        user="mairie",
        password="mairie-test",
        folder="INBOX",
        mark_seen=False,
        ca_file=ca_file,
    )


@pytest.mark.imap
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_it_logs_in_over_tls_verified_with_the_channels_ca(tls_dovecot, security):
    ports, certs = tls_dovecot
    client = imap.connect(imap_conf(ports, security, str(certs["ca"])))
    try:
        assert client.select_folder("INBOX", readonly=True)[b"EXISTS"] == 0
    finally:
        client.logout()


@pytest.mark.imap
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_an_imap_certificate_from_an_unknown_ca_is_refused(tls_dovecot, security):
    ports, _certs = tls_dovecot
    with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED"):
        imap.connect(imap_conf(ports, security))


@pytest.mark.imap
def test_an_unusable_imap_ca_file_is_a_permanent_error(tls_dovecot, tmp_path):
    ports, _certs = tls_dovecot
    with pytest.raises(TransportError, match="tls_ca_file") as raised:
        imap.connect(imap_conf(ports, "ssl", str(tmp_path / "absent.pem")))
    assert raised.value.permanent
