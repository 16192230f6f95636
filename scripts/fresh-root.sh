#!/usr/bin/env bash
# Runs the README's two commands in a really fresh Debian 12 root, the way a new user would:
# debootstrap (minbase) + chroot, then only what the README assumes (a JDK 17 and Maven, plus git to
# clone), an empty Maven repository and an empty ~/.cache. Whatever the commands need beyond that
# they must install themselves; a package that only this development machine happens to have shows
# up here as a failure. Loopback only: the root shares this machine's network namespace, and the
# tests it runs talk to 127.0.0.1.
#
#   sudo scripts/fresh-root.sh [ROOT_DIR]     (default /var/tmp/gs-fresh-root; needs root, ~4 GB)
#
# It clones the committed HEAD of this checkout (not the work tree) into ROOT_DIR/work/main and copies
# ../shared beside it, as CI lays them out. The log goes to ROOT_DIR.log; a summary is printed at the
# end. The root is torn down (mounts released) on exit but the folder is kept for inspection; delete it
# with `rm -rf ROOT_DIR` after `scripts/fresh-root.sh --umount ROOT_DIR` if a run was interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

umount_all() {
    local r=$1
    for m in dev/pts dev/shm dev proc sys; do
        mountpoint -q "$r/$m" 2>/dev/null && umount -l "$r/$m" || true
    done
}
if [ "${1:-}" = "--umount" ]; then
    umount_all "${2:?root folder}"
    exit 0
fi
ROOT=${1:-/var/tmp/gs-fresh-root}
LOG="$ROOT.log"
MIRROR=${GS_DEBIAN_MIRROR:-http://deb.debian.org/debian}

[ "$(id -u)" = 0 ] || { echo "error: run as root (debootstrap and chroot need it)" >&2; exit 1; }
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
[ -d "$REPO/../shared" ] || { echo "error: ../shared not found beside the checkout" >&2; exit 1; }

umount_all "$ROOT"
if grep -q " $ROOT/" /proc/mounts; then
    echo "error: something is still mounted under $ROOT; not deleting it" >&2
    exit 1
fi
rm -rf --one-file-system "$ROOT"
mkdir -p "$ROOT"
: >"$LOG"
step() { echo "== $(date -u +%H:%M:%S) $*" | tee -a "$LOG"; }

step "debootstrap --variant=minbase bookworm $ROOT"
debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >>"$LOG" 2>&1
trap 'umount_all "$ROOT"' EXIT
mount -t proc proc "$ROOT/proc"
mount -t sysfs sys "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"
mkdir -p "$ROOT/dev/shm"
mount -t tmpfs -o mode=1777,size=512m shm "$ROOT/dev/shm"   # as on a real machine: PostgreSQL's shared memory
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF

step "what the README assumes: a JDK 17 and Maven (+ git to clone)"
# The machine's own trust store additions (e.g. a network's TLS-inspecting CA) belong to the machine, not to the
# project: a new machine of this kind has them, so the fresh root gets them too.
mkdir -p "$ROOT/usr/local/share/ca-certificates"
cp -a /usr/local/share/ca-certificates/. "$ROOT/usr/local/share/ca-certificates/" 2>/dev/null || true
chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    bash -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates \
             && update-ca-certificates >/dev/null \
             && apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless maven git' \
    >>"$LOG" 2>&1

step "clone HEAD $(git rev-parse --short HEAD) into /work/main, ../shared beside it"
mkdir -p "$ROOT/work"
git clone -q --no-hardlinks "$REPO" "$ROOT/work/main"
cp -a "$REPO/../shared" "$ROOT/work/shared"

run_in_root() {
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 CI=true \
        bash -c "cd /work/main && $1" >>"$LOG" 2>&1
}
rc_demo=0; rc_test=0
step "main job: bin/gyrosentinel demo"
t0=$(date +%s); run_in_root 'bin/gyrosentinel demo' || rc_demo=$?; t_demo=$(( $(date +%s) - t0 ))
step "main job exit $rc_demo in ${t_demo}s"
step "all tests: scripts/test.sh"
t0=$(date +%s); run_in_root 'scripts/test.sh' || rc_test=$?; t_test=$(( $(date +%s) - t0 ))
step "tests exit $rc_test in ${t_test}s"

echo "== summary (full log: $LOG)"
grep -E '^\[INFO\] Tests run:|^\[(INFO|ERROR)\] (BUILD|Reactor Summary)|tests passed|tests failed|^Total Test time|^==' "$LOG" \
    | grep -v 'Tests run: .*, Time elapsed' | tail -n 40
[ $rc_demo = 0 ] && [ $rc_test = 0 ]
