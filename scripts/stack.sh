#!/usr/bin/env bash
# TagGate's local stack: MariaDB + PHP-FPM 8.2 (two pools) + nginx + WordPress,
# all state under <repo>/.stack, no systemd, no files outside the repository.
#
#   scripts/stack.sh up [--fresh] [--test]   start (idempotent); --fresh wipes the
#                                            database first; --test installs the
#                                            test-only mu-plugins
#   scripts/stack.sh down                    stop everything this stack started
#   scripts/stack.sh status                  what is running
#   scripts/stack.sh env                     shell exports for tests: eval "$(scripts/stack.sh env)"
#   scripts/stack.sh wp <command> [args]     run scripts/stack-wp.php (setup helper) against the site
#   scripts/stack.sh wp2 <command> [args]    the same against the second site (--test only)
#
# With --test, a second WordPress (http://127.0.0.1:8082, table prefix wp2_)
# gets a *copy* of wordpress-plugin/ installed the way a site owner would
# (copied into wp-content/plugins/taggate, activated) and is configured only
# through TAGGATE_* constants in its wp-config.php.
#
# http://127.0.0.1:8080  -> PHP-FPM pool "ext"   (loads target/release/libtaggate.so)
# http://127.0.0.1:8081  -> PHP-FPM pool "noext" (same WordPress, no extension)
#
# Environment overrides: TAGGATE_STACK_DIR (<repo>/.stack; a second, independent
# stack can run beside the first with its own directory and ports),
# TAGGATE_PORT (8080), TAGGATE_PORT_NOEXT (8081),
# TAGGATE_EXT_SO (absolute path of the extension; default <repo>/target/release/libtaggate.so),
# TAGGATE_FPM_CHILDREN (pm.max_children of the "ext" pool, default 8), TAGGATE_PORT_SITE2 (8082).
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
	exec sudo -E bash "$0" "$@"
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="${TAGGATE_STACK_DIR:-$ROOT/.stack}"
RUN="$STACK/run"
LOGS="$STACK/logs"
WWW="$STACK/www"
MYDIR="$STACK/mysql"
PORT="${TAGGATE_PORT:-8080}"
PORT_NOEXT="${TAGGATE_PORT_NOEXT:-8081}"
PORT_SITE2="${TAGGATE_PORT_SITE2:-8082}"
WWW2="$STACK/www2"
EXT_SO="${TAGGATE_EXT_SO:-$ROOT/target/release/libtaggate.so}"
FPM_CHILDREN="${TAGGATE_FPM_CHILDREN:-8}"
WEB_USER=www-data
DB_SOCK="$MYDIR/mysqld.sock"
DB_NAME=taggate
DB_USER=taggate
CREDS="$STACK/credentials.sh"
PHP_FPM_BIN="$(command -v php-fpm8.2 || echo /usr/sbin/php-fpm8.2)"

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- packages --

ensure_packages() {
	local want=(mariadb-server mariadb-client nginx php8.2-cli php8.2-fpm php8.2-mysql php8.2-curl
		php8.2-mbstring php8.2-xml php8.2-intl wordpress phpunit curl)
	local missing=() p
	for p in "${want[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ "${#missing[@]}" -eq 0 ] && return 0
	log "installing missing packages: ${missing[*]}"
	# Keep apt from starting system services (no systemd here, and we run our own).
	local policy=/usr/sbin/policy-rc.d created_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
	[ "$created_policy" = 1 ] && rm -f "$policy"
	return 0
}

# ------------------------------------------------------------- credentials --

rand_b64url() { php -r 'echo rtrim(strtr(base64_encode(random_bytes((int)$argv[1])), "+/", "-_"), "=");' "$1"; }

ensure_credentials() {
	mkdir -p "$STACK"
	if [ ! -s "$CREDS" ]; then
		{
			echo "DB_PASSWORD='$(rand_b64url 18)'"
			echo "ADMIN_USER='admin'"
			echo "ADMIN_PASSWORD='$(rand_b64url 12)'"
			echo "ADMIN_EMAIL='admin@taggate.test'"
			echo "WEBHOOK_SECRET='whsec_$(php -r 'echo base64_encode(random_bytes(32));')'"
			echo "CRM_KEY='$(rand_b64url 32)'"
		} >"$CREDS"
		chmod 600 "$CREDS"
	fi
	if ! grep -q '^SITE2_CRM_KEY=' "$CREDS"; then
		{
			echo "SITE2_SECRET_A='whsec_$(php -r 'echo base64_encode(random_bytes(32));')'"
			echo "SITE2_SECRET_B='whsec_$(php -r 'echo base64_encode(random_bytes(32));')'"
			echo "SITE2_CRM_KEY='$(rand_b64url 32)'"
		} >>"$CREDS"
		chmod 600 "$CREDS"
	fi
	# shellcheck disable=SC1090
	. "$CREDS"
}

# ----------------------------------------------------------------- helpers --

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # wait_for <seconds> <command...>
	local t=$(($1 * 10)); shift
	while [ "$t" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1; t=$((t - 1))
	done
	return 1
}

stop_pid() { # stop_pid <pidfile> <signal> <name>
	local pidfile=$1 sig=$2 name=$3 pid t
	pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
	pid="$(cat "$pidfile")"
	log "stopping $name (pid $pid)"
	kill "-$sig" "$pid" 2>/dev/null || true
	for t in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$name did not stop, sending KILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
}

web_can_read() { runuser -u "$WEB_USER" -- test -r "$1" 2>/dev/null; }

mysql_root() { mariadb --no-defaults --protocol=socket --socket="$DB_SOCK" -uroot "$@"; }

# ----------------------------------------------------------------- MariaDB --

mariadb_up() {
	mkdir -p "$MYDIR"
	cat >"$MYDIR/my.cnf" <<EOF
[mariadbd]
datadir                        = $MYDIR/data
socket                         = $DB_SOCK
pid-file                       = $MYDIR/mysqld.pid
log-error                      = $LOGS/mariadb.log
user                           = mysql
skip-networking
skip-name-resolve
performance_schema             = OFF
character-set-server           = utf8mb4
collation-server               = utf8mb4_unicode_520_ci
max_connections                = 300
thread_cache_size              = 64
table_open_cache               = 2000
innodb_buffer_pool_size        = 256M
innodb_log_file_size           = 128M
innodb_log_buffer_size         = 16M
# A local test stack: flush the redo log once a second rather than at every
# commit (a crash of the machine may lose the last second; production keeps 1).
innodb_flush_log_at_trx_commit = 2
innodb_lock_wait_timeout       = 20
EOF
	chmod 644 "$MYDIR/my.cnf"
	chown mysql:mysql "$MYDIR"
	touch "$LOGS/mariadb.log" && chown mysql:mysql "$LOGS/mariadb.log"
	if [ ! -d "$MYDIR/data/mysql" ]; then
		log "initialising MariaDB datadir"
		rm -rf "$MYDIR/data"
		mariadb-install-db --defaults-file="$MYDIR/my.cnf" --auth-root-authentication-method=socket \
			--skip-test-db >"$LOGS/mariadb-install.log" 2>&1 || { cat "$LOGS/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
	fi
	chown -R mysql:mysql "$MYDIR/data"
	if ! pid_alive "$MYDIR/mysqld.pid"; then
		log "starting MariaDB"
		setsid mariadbd --defaults-file="$MYDIR/my.cnf" </dev/null >>"$LOGS/mariadb.log" 2>&1 &
		wait_for 60 mysql_root -e 'SELECT 1' || { tail -20 "$LOGS/mariadb.log" >&2; die "MariaDB did not start"; }
	fi
	wait_for 30 mysql_root -e 'SELECT 1' || die "MariaDB is not answering"
	mysql_root <<EOF
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';
FLUSH PRIVILEGES;
EOF
}

mariadb_wipe() {
	log "dropping database $DB_NAME"
	mysql_root -e "DROP DATABASE IF EXISTS \`$DB_NAME\`; CREATE DATABASE \`$DB_NAME\` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;"
}

# --------------------------------------------------------------- WordPress --

copy_wordpress() { # copy_wordpress <docroot>
	local dest=$1
	[ -f "$dest/wp-includes/version.php" ] && return 0
	log "copying WordPress from /usr/share/wordpress to $dest"
	rm -rf "$dest.tmp"
	mkdir -p "$dest.tmp"
	# Everything but Debian's wp-config.php (it reads /etc/wordpress) and wp-content.
	( cd /usr/share/wordpress && tar --exclude=./wp-config.php --exclude=./wp-content --exclude=./.htaccess -cf - . ) | ( cd "$dest.tmp" && tar -xf - )
	mkdir -p "$dest.tmp/wp-content/plugins" "$dest.tmp/wp-content/themes" "$dest.tmp/wp-content/uploads" "$dest.tmp/wp-content/mu-plugins"
	cp -a /usr/share/wordpress/wp-content/themes/. "$dest.tmp/wp-content/themes/"
	cp -a /usr/share/wordpress/wp-content/plugins/index.php "$dest.tmp/wp-content/plugins/" 2>/dev/null || true
	mv "$dest.tmp" "$dest"
}

salts() {
	php -r 'foreach (["AUTH_KEY","SECURE_AUTH_KEY","LOGGED_IN_KEY","NONCE_KEY","AUTH_SALT","SECURE_AUTH_SALT","LOGGED_IN_SALT","NONCE_SALT"] as $k) { printf("define( %s, %s );\n", var_export($k, true), var_export(bin2hex(random_bytes(32)), true)); }'
}

wp_files() {
	copy_wordpress "$WWW"
	mkdir -p "$WWW/wp-content/mu-plugins" "$WWW/wp-content/uploads" "$STACK/mail"

	# The plugin: a symlink to the working tree, so edits show at once. When
	# the web user cannot read the working tree (a checkout under a private
	# home directory), fall back to a copy refreshed at every `up`.
	local dest="$WWW/wp-content/plugins/taggate"
	if web_can_read "$ROOT/wordpress-plugin/taggate.php"; then
		if [ ! -L "$dest" ] || [ "$(readlink "$dest")" != "$ROOT/wordpress-plugin" ]; then
			rm -rf "$dest"
			ln -s "$ROOT/wordpress-plugin" "$dest"
		fi
	else
		log "the web user cannot read $ROOT; copying the plugin instead of linking it"
		rm -rf "$dest"
		cp -a "$ROOT/wordpress-plugin" "$dest"
	fi

	# mu-plugins: the stack's mail catcher / offline switch always; the fault injector only for tests.
	rm -f "$WWW/wp-content/mu-plugins/taggate-stack-mail.php"
	cp "$ROOT/tests/http/fixtures/mu-plugins/taggate-stack.php" "$WWW/wp-content/mu-plugins/"
	if [ "$TEST_MODE" = 1 ]; then
		cp "$ROOT/tests/http/fixtures/mu-plugins/taggate-test-faults.php" "$WWW/wp-content/mu-plugins/"
	else
		rm -f "$WWW/wp-content/mu-plugins/taggate-test-faults.php"
	fi

	if [ ! -s "$WWW/wp-config.php" ] || ! grep -q "$DB_PASSWORD" "$WWW/wp-config.php" || ! grep -q "$STACK/" "$WWW/wp-config.php"; then
		local salts
		salts="$(salts)"
		cat >"$WWW/wp-config.php" <<EOF
<?php
// Written by scripts/stack.sh for the local TagGate stack. Not for production.
define( 'DB_NAME', '$DB_NAME' );
define( 'DB_USER', '$DB_USER' );
define( 'DB_PASSWORD', '$DB_PASSWORD' );
define( 'DB_HOST', 'localhost:$DB_SOCK' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
$salts
\$table_prefix = 'wp_';

// Both ports serve this one site: links and redirects follow the port asked.
\$taggate_stack_host = isset( \$_SERVER['HTTP_HOST'] ) ? (string) \$_SERVER['HTTP_HOST'] : '127.0.0.1:$PORT';
if ( ! preg_match( '/^(127\.0\.0\.1|localhost):($PORT|$PORT_NOEXT)\$/', \$taggate_stack_host ) ) {
	\$taggate_stack_host = '127.0.0.1:$PORT';
}
define( 'WP_HOME', 'http://' . \$taggate_stack_host );
define( 'WP_SITEURL', 'http://' . \$taggate_stack_host );

define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', '$LOGS/wp-debug.log' );
define( 'WP_DEBUG_DISPLAY', false );
@ini_set( 'display_errors', '0' );
define( 'DISALLOW_FILE_EDIT', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
// No loopback cron spawns: the test run and the benchmark call wp-cron.php when they mean to.
define( 'DISABLE_WP_CRON', true );
define( 'WP_ENVIRONMENT_TYPE', 'local' );
define( 'TAGGATE_STACK_MAIL_DIR', '$STACK/mail' );

// Tests may drop TAGGATE_* constants here (and remove the file afterwards).
if ( file_exists( '$STACK/wp-config-extra.php' ) ) {
	require '$STACK/wp-config-extra.php';
}

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
EOF
	fi
	chown -R "$WEB_USER:$WEB_USER" "$WWW/wp-content" "$STACK/mail"
	chown "$WEB_USER:$WEB_USER" "$WWW/wp-config.php"
	chmod 640 "$WWW/wp-config.php"
}

# The second site: a copy of the plugin, configured by constants only.
site2_files() {
	copy_wordpress "$WWW2"
	mkdir -p "$WWW2/wp-content/mu-plugins" "$WWW2/wp-content/uploads"
	rm -rf "$WWW2/wp-content/plugins/taggate"
	cp -a "$ROOT/wordpress-plugin" "$WWW2/wp-content/plugins/taggate"
	cp "$ROOT/tests/http/fixtures/mu-plugins/taggate-stack.php" "$WWW2/wp-content/mu-plugins/"
	if [ ! -s "$WWW2/wp-config.php" ] || ! grep -q "$SITE2_CRM_KEY" "$WWW2/wp-config.php" || ! grep -q "$STACK/" "$WWW2/wp-config.php"; then
		cat >"$WWW2/wp-config.php" <<SITE2
<?php
// Written by scripts/stack.sh: a second site, TagGate configured by constants only.
define( 'DB_NAME', '$DB_NAME' );
define( 'DB_USER', '$DB_USER' );
define( 'DB_PASSWORD', '$DB_PASSWORD' );
define( 'DB_HOST', 'localhost:$DB_SOCK' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
$(salts)
\$table_prefix = 'wp2_';
define( 'WP_HOME', 'http://127.0.0.1:$PORT_SITE2' );
define( 'WP_SITEURL', 'http://127.0.0.1:$PORT_SITE2' );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', '$LOGS/wp-debug.log' );
define( 'WP_DEBUG_DISPLAY', false );
@ini_set( 'display_errors', '0' );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'TAGGATE_STACK_MAIL_DIR', '$STACK/mail' );

define( 'TAGGATE_WEBHOOK_SCHEME', 'standard' );
define( 'TAGGATE_WEBHOOK_SECRETS', '$SITE2_SECRET_A $SITE2_SECRET_B' );
define( 'TAGGATE_CRM_KEY', '$SITE2_CRM_KEY' );
define( 'TAGGATE_CRM_ADAPTER', 'activecampaign' );
define( 'TAGGATE_MAX_BODY_BYTES', 65536 );
define( 'TAGGATE_ALLOWED_ROLES', 'subscriber' );

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
SITE2
	fi
	chown -R "$WEB_USER:$WEB_USER" "$WWW2/wp-content"
	chown "$WEB_USER:$WEB_USER" "$WWW2/wp-config.php"
	chmod 640 "$WWW2/wp-config.php"
}

site2_install() {
	if ! SITE=2 stack_wp is-installed >/dev/null 2>&1; then
		log "installing the second WordPress (constants only)"
		SITE=2 stack_wp install "$ADMIN_USER" "$ADMIN_PASSWORD" "$ADMIN_EMAIL" >/dev/null || die "second WordPress install failed"
	fi
	SITE=2 stack_wp activate >/dev/null || die "activating the plugin on the second site failed"
}

# Runs the setup helper (scripts/stack-wp.php) with the CLI PHP, loading the
# extension when it exists. Runs as the web user so files it makes stay writable.
stack_wp() {
	local ext=()
	[ -f "$EXT_SO" ] && ext=(-d "extension=$EXT_SO")
	local helper="$ROOT/scripts/stack-wp.php"
	if ! web_can_read "$helper"; then
		cp "$helper" "$STACK/stack-wp.php" && chmod 644 "$STACK/stack-wp.php"
		helper="$STACK/stack-wp.php"
	fi
	local www="$WWW" port="$PORT"
	if [ "${SITE:-1}" = 2 ]; then www="$WWW2"; port="$PORT_SITE2"; fi
	runuser -u "$WEB_USER" -- env TAGGATE_STACK_WWW="$www" TAGGATE_STACK_PORT="$port" \
		php "${ext[@]}" -d display_errors=stderr -d error_reporting=E_ALL "$helper" "$@"
}

wp_install() {
	if ! stack_wp is-installed >/dev/null 2>&1; then
		log "installing WordPress"
		stack_wp install "$ADMIN_USER" "$ADMIN_PASSWORD" "$ADMIN_EMAIL" || die "WordPress install failed"
	fi
	stack_wp activate >/dev/null || die "activating the plugin failed"
	stack_wp configure "scheme=standard" "secret=$WEBHOOK_SECRET" "crm_key=$CRM_KEY" >/dev/null || die "configuring the plugin failed"
}

# ---------------------------------------------------------------- PHP-FPM --

fpm_pool() { # fpm_pool <name> <socket> <extension line> <pm lines>
	cat <<EOF
[$1]
user = $WEB_USER
group = $WEB_USER
listen = $2
listen.owner = $WEB_USER
listen.group = $WEB_USER
listen.mode = 0660
listen.backlog = 1024
$4
request_terminate_timeout = 120s
catch_workers_output = yes
decorate_workers_output = no
clear_env = yes
php_admin_flag[log_errors] = on
php_admin_value[error_log] = $LOGS/php-fpm-$1.log
php_admin_value[error_reporting] = E_ALL
php_admin_flag[display_errors] = off
php_admin_value[opcache.validate_timestamps] = 1
php_admin_value[opcache.revalidate_freq] = 2
php_admin_value[memory_limit] = 256M
php_admin_value[post_max_size] = 64M
php_admin_value[upload_max_filesize] = 32M
$3
EOF
}

fpm_up() {
	local ext_line=""
	if [ -f "$EXT_SO" ] && ! web_can_read "$EXT_SO"; then
		# PHP-FPM loads the extension in each worker, as the web user.
		log "the web user cannot read $EXT_SO; using a copy in $STACK/ext"
		mkdir -p "$STACK/ext"
		cp "$EXT_SO" "$STACK/ext/libtaggate.so"
		chmod 755 "$STACK/ext" && chmod 644 "$STACK/ext/libtaggate.so"
		EXT_SO="$STACK/ext/libtaggate.so"
	fi
	if [ -f "$EXT_SO" ]; then
		ext_line="php_admin_value[extension] = $EXT_SO"
	else
		log "WARNING: $EXT_SO is missing; pool 'ext' runs without the extension (the plugin answers 503)"
	fi
	{
		cat <<EOF
; Written by scripts/stack.sh. One master, two pools sharing one WordPress.
[global]
pid = $RUN/php-fpm.pid
error_log = $LOGS/php-fpm.log
log_level = notice
daemonize = yes
process_control_timeout = 10s

EOF
		fpm_pool ext "$RUN/fpm-ext.sock" "$ext_line" "pm = static
pm.max_children = $FPM_CHILDREN
pm.max_requests = 5000"
		echo
		fpm_pool noext "$RUN/fpm-noext.sock" "" "pm = ondemand
pm.max_children = 4
pm.process_idle_timeout = 30s"
	} >"$STACK/php-fpm.conf.new"
	touch "$LOGS/php-fpm-ext.log" "$LOGS/php-fpm-noext.log" "$LOGS/wp-debug.log"
	chown "$WEB_USER:$WEB_USER" "$LOGS/php-fpm-ext.log" "$LOGS/php-fpm-noext.log" "$LOGS/wp-debug.log"
	"$PHP_FPM_BIN" -t -y "$STACK/php-fpm.conf.new" >"$LOGS/php-fpm-test.log" 2>&1 || { cat "$LOGS/php-fpm-test.log" >&2; die "php-fpm config test failed"; }
	mv "$STACK/php-fpm.conf.new" "$STACK/php-fpm.conf"
	if pid_alive "$RUN/php-fpm.pid"; then
		# Restart rather than reload so a freshly built extension is loaded.
		stop_pid "$RUN/php-fpm.pid" QUIT php-fpm
	fi
	log "starting PHP-FPM"
	"$PHP_FPM_BIN" -y "$STACK/php-fpm.conf" || die "php-fpm did not start"
	wait_for 20 test -S "$RUN/fpm-ext.sock" || die "php-fpm socket missing"
}

# ------------------------------------------------------------------ nginx --

nginx_conf() {
	local tmp="$STACK/nginx/tmp"
	mkdir -p "$tmp"/{body,fastcgi,proxy,uwsgi,scgi}
	chown -R "$WEB_USER:$WEB_USER" "$tmp"
	server_block() { # <port> <socket> [docroot]
		cat <<EOF
	server {
		listen 127.0.0.1:$1;
		server_name 127.0.0.1 localhost;
		root ${3:-$WWW};
		index index.php;
		location = /favicon.ico { access_log off; log_not_found off; return 204; }
		location ~ /\.(?!well-known) { deny all; }
		location ~* ^/wp-content/uploads/.*\.php\$ { deny all; }
		location / {
			try_files \$uri \$uri/ /index.php?\$args;
		}
		location ~ \.php\$ {
			try_files \$uri =404;
			# Our own parameter list (Debian's fastcgi_params sets HTTP_HOST without the port).
			fastcgi_param QUERY_STRING \$query_string;
			fastcgi_param REQUEST_METHOD \$request_method;
			fastcgi_param CONTENT_TYPE \$content_type;
			fastcgi_param CONTENT_LENGTH \$content_length;
			fastcgi_param SCRIPT_NAME \$fastcgi_script_name;
			fastcgi_param REQUEST_URI \$request_uri;
			fastcgi_param DOCUMENT_URI \$document_uri;
			fastcgi_param DOCUMENT_ROOT \$document_root;
			fastcgi_param SERVER_PROTOCOL \$server_protocol;
			fastcgi_param REQUEST_SCHEME \$scheme;
			fastcgi_param GATEWAY_INTERFACE CGI/1.1;
			fastcgi_param SERVER_SOFTWARE nginx;
			fastcgi_param REMOTE_ADDR \$remote_addr;
			fastcgi_param REMOTE_PORT \$remote_port;
			fastcgi_param SERVER_ADDR \$server_addr;
			fastcgi_param SERVER_PORT \$server_port;
			fastcgi_param SERVER_NAME \$host;
			fastcgi_param REDIRECT_STATUS 200;
			fastcgi_param HTTP_HOST \$host:\$server_port;
			fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
			fastcgi_param HTTP_PROXY "";
			fastcgi_pass unix:$2;
			fastcgi_read_timeout 120s;
			fastcgi_buffers 16 16k;
			fastcgi_buffer_size 32k;
		}
	}
EOF
	}
	cat >"$STACK/nginx/nginx.conf" <<EOF
# Written by scripts/stack.sh.
user $WEB_USER $WEB_USER;
worker_processes 2;
pid $RUN/nginx.pid;
error_log $LOGS/nginx-error.log warn;
events { worker_connections 2048; }
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log $LOGS/nginx-access.log;
	sendfile on;
	tcp_nodelay on;
	keepalive_timeout 65;
	keepalive_requests 10000;
	server_tokens off;
	# Large enough that the plugin itself answers 413 for its own limit
	# (TAGGATE_MAX_BODY_BYTES, 1 MiB by default) rather than nginx.
	client_max_body_size 64m;
	client_body_buffer_size 2m;
	client_body_temp_path $tmp/body;
	fastcgi_temp_path $tmp/fastcgi;
	proxy_temp_path $tmp/proxy;
	uwsgi_temp_path $tmp/uwsgi;
	scgi_temp_path $tmp/scgi;
$(server_block "$PORT" "$RUN/fpm-ext.sock")
$(server_block "$PORT_NOEXT" "$RUN/fpm-noext.sock")
$([ "$TEST_MODE" = 1 ] && server_block "$PORT_SITE2" "$RUN/fpm-ext.sock" "$WWW2")
}
EOF
}

nginx_up() {
	mkdir -p "$STACK/nginx"
	nginx_conf
	nginx -t -q -e "$LOGS/nginx-error.log" -p "$STACK/nginx" -c "$STACK/nginx/nginx.conf" || die "nginx config test failed"
	if pid_alive "$RUN/nginx.pid"; then
		kill -HUP "$(cat "$RUN/nginx.pid")"
	else
		log "starting nginx"
		nginx -e "$LOGS/nginx-error.log" -p "$STACK/nginx" -c "$STACK/nginx/nginx.conf" || die "nginx did not start"
	fi
	wait_for 20 curl -fsS -o /dev/null "http://127.0.0.1:$PORT/favicon.ico" || die "nginx is not answering on $PORT"
}

# --------------------------------------------------------------- commands --

cmd_up() {
	ensure_packages
	ensure_credentials
	mkdir -p "$RUN" "$LOGS"
	chmod 755 "$STACK" "$RUN" "$LOGS"
	mariadb_up
	if [ "$FRESH" = 1 ]; then
		mariadb_wipe
		rm -rf "$STACK/mail"/* "$STACK/wp-config-extra.php"
		: >"$LOGS/wp-debug.log"
	fi
	wp_files
	if [ "$TEST_MODE" = 1 ]; then site2_files; fi
	fpm_up
	nginx_up
	wp_install
	if [ "$TEST_MODE" = 1 ]; then site2_install; fi
	wait_for 20 curl -fsS -o /dev/null "http://127.0.0.1:$PORT/wp-json/" || die "the REST API does not answer on $PORT"
	log "up: http://127.0.0.1:$PORT (extension$([ -f "$EXT_SO" ] || echo ' MISSING')), http://127.0.0.1:$PORT_NOEXT (no extension)"
}

cmd_down() {
	stop_pid "$RUN/nginx.pid" QUIT nginx
	stop_pid "$RUN/php-fpm.pid" QUIT php-fpm
	if pid_alive "$MYDIR/mysqld.pid"; then
		log "stopping MariaDB"
		mysql_root -e 'SHUTDOWN' >/dev/null 2>&1 || kill -TERM "$(cat "$MYDIR/mysqld.pid")" 2>/dev/null || true
		wait_for 60 bash -c "! kill -0 $(cat "$MYDIR/mysqld.pid" 2>/dev/null || echo 0) 2>/dev/null" || stop_pid "$MYDIR/mysqld.pid" TERM mariadbd
	fi
	rm -f "$MYDIR/mysqld.pid"
}

cmd_status() {
	local rc=0
	for x in "nginx:$RUN/nginx.pid" "php-fpm:$RUN/php-fpm.pid" "mariadb:$MYDIR/mysqld.pid"; do
		if pid_alive "${x#*:}"; then echo "${x%%:*}: running (pid $(cat "${x#*:}"))"; else echo "${x%%:*}: stopped"; rc=1; fi
	done
	[ -f "$EXT_SO" ] && echo "extension: $EXT_SO" || echo "extension: missing ($EXT_SO)"
	return $rc
}

cmd_env() {
	ensure_credentials
	cat <<EOF
export TAGGATE_ROOT='$ROOT'
export TAGGATE_STACK='$STACK'
export TAGGATE_STACK_DIR='$STACK'
export TAGGATE_PORT='$PORT'
export TAGGATE_PORT_NOEXT='$PORT_NOEXT'
export TAGGATE_URL='http://127.0.0.1:$PORT'
export TAGGATE_URL_NOEXT='http://127.0.0.1:$PORT_NOEXT'
export TAGGATE_ADMIN_USER='$ADMIN_USER'
export TAGGATE_ADMIN_PASSWORD='$ADMIN_PASSWORD'
export TAGGATE_ADMIN_EMAIL='$ADMIN_EMAIL'
export TAGGATE_WEBHOOK_SECRET='$WEBHOOK_SECRET'
export TAGGATE_CRM_KEY='$CRM_KEY'
export TAGGATE_DB_SOCKET='$DB_SOCK'
export TAGGATE_DB_NAME='$DB_NAME'
export TAGGATE_DB_USER='$DB_USER'
export TAGGATE_DB_PASSWORD='$DB_PASSWORD'
export TAGGATE_DB_PREFIX='wp_'
export TAGGATE_EXT_SO='$EXT_SO'
export TAGGATE_WP_DEBUG_LOG='$LOGS/wp-debug.log'
export TAGGATE_LOGS='$LOGS'
export TAGGATE_MAIL_DIR='$STACK/mail'
export TAGGATE_WP_HELPER='$ROOT/scripts/stack.sh wp'
export TAGGATE_PORT_SITE2='$PORT_SITE2'
export TAGGATE_SITE2_URL='http://127.0.0.1:$PORT_SITE2'
export TAGGATE_SITE2_SECRETS='$SITE2_SECRET_A $SITE2_SECRET_B'
export TAGGATE_SITE2_CRM_KEY='$SITE2_CRM_KEY'
EOF
}

FRESH=0
TEST_MODE=0
cmd="${1:-}"
[ $# -gt 0 ] && shift
if [ "$cmd" = up ]; then
	for a in "$@"; do
		case "$a" in
			--fresh) FRESH=1 ;;
			--test) TEST_MODE=1 ;;
			*) die "unknown option $a" ;;
		esac
	done
fi
case "$cmd" in
	up) cmd_up ;;
	down) cmd_down ;;
	status) cmd_status ;;
	env) cmd_env ;;
	wp) ensure_credentials; stack_wp "$@" ;;
	wp2) ensure_credentials; SITE=2 stack_wp "$@" ;;
	*) echo "usage: $0 up [--fresh] [--test] | down | status | env | wp <command> | wp2 <command>" >&2; exit 2 ;;
esac
