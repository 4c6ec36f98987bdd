#!/usr/bin/env bash
# Start a throw-away Dovecot IMAP server for the test suite (idempotent).
#
#   .ci/dovecot.sh [DIR]      (default DIR: /tmp/civique-dovecot)
#
# Listens on 127.0.0.1:10143, plain IMAP (no TLS), plaintext login allowed. Users:
#   mairie / mairie-test     usager / usager-test
# Mail is stored as maildir under DIR/mail/<user>; the log is DIR/dovecot.log.
# Installs dovecot-imapd with apt-get when dovecot is missing.
set -euo pipefail

DIR="${1:-/tmp/civique-dovecot}"
PORT=10143
HOST=127.0.0.1

listening() {
    # true when something answers on HOST:PORT
    (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null
}

apt_install() {
    # Waits for another apt/dpkg run to finish instead of failing on its lock.
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@"
}

if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt_install dovecot-imapd \
        || { apt-get -o DPkg::Lock::Timeout=600 update && apt_install dovecot-imapd; }
fi
DOVECOT="$(command -v dovecot || echo /usr/sbin/dovecot)"

if listening; then
    echo "Dovecot écoute déjà sur $HOST:$PORT."
    exit 0
fi

# Mail files belong to an existing unprivileged account (dovecot refuses uid 0 for mail).
MAIL_USER="$(id -un nobody 2>/dev/null || echo nobody)"
MAIL_GROUP="$(id -gn "$MAIL_USER")"
mkdir -p "$DIR/mail" "$DIR/run"
chown -R "$MAIL_USER:$MAIL_GROUP" "$DIR/mail"

cat >"$DIR/passwd" <<'EOF'
mairie:{PLAIN}mairie-test::::::
usager:{PLAIN}usager-test::::::
EOF

# Dovecot 2.3 syntax (Debian 12); the 2.4 syntax is chosen below when that version is found.
VERSION="$("$DOVECOT" --version 2>/dev/null | cut -d. -f1,2)"
if [ "$VERSION" = "2.4" ]; then
    cat >"$DIR/dovecot.conf" <<EOF
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
base_dir = $DIR/run
state_dir = $DIR/run/state
log_path = $DIR/dovecot.log
protocols = imap
listen = $HOST
ssl = no
auth_allow_cleartext = yes
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
mail_uid = $MAIL_USER
mail_gid = $MAIL_GROUP
mail_driver = maildir
mail_path = $DIR/mail/%{user}
service imap-login {
  inet_listener imap {
    address = $HOST
    port = $PORT
  }
}
passdb passwd-file {
  passwd_file_path = $DIR/passwd
}
userdb static {
  fields {
    uid = $MAIL_USER
    gid = $MAIL_GROUP
    home = $DIR/mail/%{user}
  }
}
EOF
else
    cat >"$DIR/dovecot.conf" <<EOF
base_dir = $DIR/run
state_dir = $DIR/run/state
log_path = $DIR/dovecot.log
protocols = imap
listen = $HOST
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_uid = $MAIL_USER
mail_gid = $MAIL_GROUP
mail_location = maildir:$DIR/mail/%u
service imap-login {
  inet_listener imap {
    address = $HOST
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/passwd
}
userdb {
  driver = static
  args = uid=$MAIL_USER gid=$MAIL_GROUP home=$DIR/mail/%u
}
EOF
fi

"$DOVECOT" -c "$DIR/dovecot.conf"

i=0
until listening; do
    i=$((i + 1))
    if [ "$i" -gt 50 ]; then
        echo "Dovecot ne répond pas sur $HOST:$PORT ; voir $DIR/dovecot.log" >&2
        tail -n 20 "$DIR/dovecot.log" >&2 || true
        exit 1
    fi
    sleep 0.2
done
echo "Dovecot écoute sur $HOST:$PORT (configuration : $DIR/dovecot.conf)."
