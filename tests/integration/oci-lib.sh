# Shared by the OCI tests (sourced after lib.sh): an OCI image made here,
# with umoci, from a tree of our own: busybox, a page, a user; a second
# layer that deletes a file (a .wh. whiteout); a third, added raw, that
# makes a directory opaque.  Sets $lay (an OCI layout, tag "web").
for t in umoci skopeo busybox; do
	command -v "$t" >/dev/null || { echo "SKIP: $t not installed (tools/install-deps)" >&2; exit 77; }
done

oci_make_image() { # DIR
	lay="$1/lay"
	umoci init --layout "$lay" && umoci new --image "$lay:web" || fail "umoci new"
	umoci unpack --image "$lay:web" "$1/b1" >/dev/null || fail "umoci unpack"
	r="$1/b1/rootfs"
	mkdir -p "$r/bin" "$r/www" "$r/gone" "$r/etc" "$r/opq"
	cp "$(command -v busybox)" "$r/bin/busybox"
	ln -s busybox "$r/bin/sh"
	echo hello-oci >"$r/www/index.html"
	# a non-ASCII name (Debian's ca-certificates has such): export once
	# refused it in apomon's C locale
	echo cert >"$r/www/Főtanúsítvány.crt"
	chown 1000:1000 "$r/www"
	ln "$r/www/index.html" "$r/www/hard.html"
	cp "$r/bin/busybox" "$r/bin/suid" && chmod 4755 "$r/bin/suid"
	echo old >"$r/gone/f"
	echo lower >"$r/opq/lower"
	printf 'root:x:0:0::/:/bin/sh\nweb:x:1000:1000::/:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\nweb:x:1000:\n' >"$r/etc/group"
	umoci repack --image "$lay:web" "$1/b1" || fail "umoci repack 1"
	rm -rf "$1/b1"
	umoci unpack --image "$lay:web" "$1/b2" >/dev/null || fail "umoci unpack 2"
	rm -f "$1/b2/rootfs/gone/f"
	umoci repack --image "$lay:web" "$1/b2" || fail "umoci repack 2"
	rm -rf "$1/b2"
	python3 - "$1/opq.tar" <<'PY' || fail "opaque layer"
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w') as t:
    d = tarfile.TarInfo('opq'); d.type = tarfile.DIRTYPE; d.mode = 0o755; t.addfile(d)
    t.addfile(tarfile.TarInfo('opq/.wh..wh..opq'))
    f = tarfile.TarInfo('opq/fresh'); f.size = 6; t.addfile(f, io.BytesIO(b'fresh\n'))
PY
	umoci raw add-layer --image "$lay:web" "$1/opq.tar" || fail "umoci add-layer"
	umoci config --image "$lay:web" --config.entrypoint /bin/busybox \
		--config.cmd httpd --config.cmd -f --config.cmd -p --config.cmd 8080 \
		--config.cmd -h --config.cmd /www --config.exposedports 8080/tcp \
		--config.env GREETING=hi --config.workingdir /www --config.user web ||
		fail "umoci config"
}

# A listing of a store, to show that a failure added nothing (its lock
# and the directory that holds the layers are made before the first one).
store_listing() {
	(cd "$1" 2>/dev/null && find . -mindepth 1 ! -name .lock ! -path ./oci-layer | sort)
}

# Registry tests: skip without Debian's docker-registry; at exit, end the
# servers they started ($pids) and remove $tmp.
oci_need_registry() {
	command -v docker-registry >/dev/null ||
		{ echo "SKIP: docker-registry not installed (tools/install-deps)" >&2; exit 77; }
	pids=
	trap oci_registry_cleanup EXIT
}
oci_registry_cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}

# start_registry NAME PORT [EXTRA-YAML] [s]: Debian's docker-registry on
# 127.0.0.1:PORT storing under $tmp/NAME-store, logging to $tmp/NAME.log
# (its access log too), its PID added to $pids; returns once it answers
# /v2/ (any status) over http, or https with "s"; bounded.
start_registry() {
	cat >"$tmp/$1.yml" <<YML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $tmp/$1-store
http:
  addr: 127.0.0.1:$2
${3:-}
YML
	docker-registry serve "$tmp/$1.yml" >"$tmp/$1.log" 2>&1 &
	pids="${pids:-} $!"
	i=0
	until curl -sk -o /dev/null "http${4:-}://127.0.0.1:$2/v2/"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$tmp/$1.log"; fail "registry $1 did not answer"; }
		kill -0 "$!" 2>/dev/null || { cat "$tmp/$1.log"; fail "registry $1 died"; }
		sleep 0.1
	done
}

# Station tests run in the shared image store: what its layer directory
# held before ($layers_before), so that oci_forget_new_layers removes only
# the layers the test added; the stations' programs from the build tree;
# A runs apomon on $tmp/conf and $ENV.
oci_station_setup() {
	store="${APOMON_LIB_DIR:-/var/lib/apomon}/images"
	layers_before=$(ls "$store/oci-layer" 2>/dev/null)
	APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
	APOMON_IMAGES_PATH="$APOMON_SRCDIR/images"
	export APOMON_INIT APOMON_IMAGES_PATH
}
A() { "$APOMON" -c "$tmp/conf" -e "$ENV" "$@"; }
oci_forget_new_layers() {
	for l in $(ls "$store/oci-layer" 2>/dev/null); do
		echo "$layers_before" | grep_q -x "$l" || rm -rf "${store:?}/oci-layer/$l"
	done
}
