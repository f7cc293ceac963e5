#!/usr/bin/env bash
# CTest installer_deb: builds the .deb and the .tar.gz with cpack from the build tree, installs the .deb
# into this machine with apt-get, checks the installed program and its desktop integration, and removes
# the package again, also when a check fails (trap). Needs root; exits 77 (skipped) with a reason when it
# cannot run here, never touching a package or file it did not put there.
#
# Environment (set by installer/CMakeLists.txt): EXPECTLAB_BUILD_DIR, EXPECTLAB_VERSION, EXPECTLAB_APP_ID,
# EXPECTLAB_HAVE_PNG_ICONS, EXPECTLAB_HAVE_MAN_PAGE, EXPECTLAB_ICON_SIZES.
set -euo pipefail

build="${EXPECTLAB_BUILD_DIR:?set by CTest}"
version="${EXPECTLAB_VERSION:?set by CTest}"
app_id="${EXPECTLAB_APP_ID:?set by CTest}"
icon_sizes="${EXPECTLAB_ICON_SIZES:-}"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }
is_installed() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'; }
# True when dpkg's path-exclude rules (slim container images drop /usr/share/man/*) keep $1 off disk;
# the last matching path-exclude/path-include wins, as in dpkg.
dpkg_drops() {
  local dropped=1 kind pattern
  while read -r kind pattern; do
    case "$kind" in
      path-exclude) [[ "$1" == $pattern ]] && dropped=0 ;;
      path-include) [[ "$1" == $pattern ]] && dropped=1 ;;
    esac
  done < <(cat /etc/dpkg/dpkg.cfg /etc/dpkg/dpkg.cfg.d/* 2>/dev/null | sed -n 's/^\(path-[a-z]*\)[ =]/\1 /p')
  return "$dropped"
}

# ---- Can this machine run the test? ----
[ "$(id -u)" -eq 0 ] || skip "installing a .deb into the machine needs root"
for tool in cpack dpkg-deb dpkg-shlibdeps file apt-get desktop-file-validate appstreamcli timeout ldd lintian; do
  command -v "$tool" >/dev/null \
    || skip "$tool is not installed (tools/deps.sh installs dpkg-dev, file, desktop-file-utils, appstream, lintian)"
done
[ "${EXPECTLAB_HAVE_MAN_PAGE:-OFF}" = ON ] \
  || skip "help2man was missing when the build was configured: no man page to check (install it, re-run cmake)"
[ "${EXPECTLAB_HAVE_PNG_ICONS:-OFF}" = ON ] \
  || skip "rsvg-convert was missing when the build was configured: no PNG icons (install librsvg2-bin, re-run cmake)"
[ -f "$build/CPackConfig.cmake" ] || fail "$build/CPackConfig.cmake is missing: is the build configured?"
# Never overwrite or remove something that was here before: that would change the machine.
if is_installed expectlab; then skip "a package named expectlab is already installed; leaving it alone"; fi
[ ! -e /usr/bin/expectlab ] || skip "/usr/bin/expectlab exists and is not from the expectlab package; leaving it alone"

export DEBIAN_FRONTEND=noninteractive
# Another apt-get run may hold the dpkg lock for a while: wait for it rather than fail. apt-get itself
# is never run under `timeout`: killing dpkg half-way would leave the machine broken.
apt_opts=(-o DPkg::Lock::Timeout=60 -q)

work="$(mktemp -d /tmp/expectlab-installer.XXXXXX)"
# apt-get reads local .deb files as the unprivileged _apt user.
chmod 755 "$work"
extra_packages=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if is_installed expectlab; then
    echo "--- cleanup: apt-get remove -y expectlab"
    apt-get "${apt_opts[@]}" remove -y expectlab || rc=1
  fi
  # Dependencies apt-get pulled in for the .deb only (none when tools/deps.sh ran first).
  local p still=()
  for p in "${extra_packages[@]}"; do is_installed "$p" && still+=("$p"); done
  if [ ${#still[@]} -gt 0 ]; then
    echo "--- cleanup: removing the packages installed only for the test: ${still[*]}"
    apt-get "${apt_opts[@]}" remove -y "${still[@]}" || rc=1
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- Build the packages from the build tree ----
step "cpack -G DEB"
(cd "$work" && timeout 90 cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/pkg") \
  || fail "cpack -G DEB failed"
shopt -s nullglob
debs=("$work"/pkg/expectlab_"$version"_*.deb)
[ ${#debs[@]} -eq 1 ] || fail "expected one expectlab_${version}_<arch>.deb, found: ${debs[*]:-none}"
deb="${debs[0]}"
dpkg-deb --info "$deb"
[ "$(dpkg-deb -f "$deb" Package)" = expectlab ] || fail "package name is not expectlab"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "package version is not $version"
depends="$(dpkg-deb -f "$deb" Depends)"
# dpkg-shlibdeps turns the linked libraries into package dependencies.
grep -q 'libqt6widgets6' <<<"$depends" || fail "Depends lacks libqt6widgets6 (shlibdeps did not run?): $depends"
grep -q 'libqcustomplot2.1-qt6' <<<"$depends" || fail "Depends lacks libqcustomplot2.1-qt6: $depends"
if grep -qi 'qt5' <<<"$depends"; then fail "Depends names a Qt 5 package: $depends"; fi

step "lintian"
# Clean means no error, warning or info tag at all (the root warning is lintian talking about itself).
tags="$(timeout 120 lintian --info "$deb" 2>&1 | grep -v 'running with root privileges' || true)"
[ -z "$tags" ] || { echo "$tags"; fail "lintian reports problems in the .deb"; }
echo "lintian: clean"

step "cpack -G TGZ"
(cd "$work" && timeout 60 cpack --config "$build/CPackConfig.cmake" -G TGZ -B "$work/pkg") \
  || fail "cpack -G TGZ failed"
tgzs=("$work"/pkg/expectlab-"$version"-*.tar.gz)
[ ${#tgzs[@]} -eq 1 ] || fail "expected one expectlab-${version}-<system>.tar.gz, found: ${tgzs[*]:-none}"
listing="$(tar -tzf "${tgzs[0]}")"
for f in bin/expectlab share/applications/expectlab.desktop "share/metainfo/$app_id.metainfo.xml" \
         share/icons/hicolor/scalable/apps/expectlab.svg share/man/man1/expectlab.1.gz; do
  grep -q "^expectlab-$version-[^/]*/$f\$" <<<"$listing" || fail "${tgzs[0]} lacks $f"
done

# ---- Install it ----
# What apt-get would add besides expectlab: removed again in cleanup, so the machine stays as it was.
mapfile -t extra_packages < <(cd "$work/pkg" && apt-get "${apt_opts[@]}" -s install "./$(basename "$deb")" \
                                | awk '$1 == "Inst" && $2 != "expectlab" {print $2}')
[ ${#extra_packages[@]} -eq 0 ] || echo "note: apt-get also installs ${extra_packages[*]} (removed afterwards)"
step "apt-get install -y ./$(basename "$deb")"
(cd "$work/pkg" && apt-get "${apt_opts[@]}" install -y "./$(basename "$deb")") \
  || fail "apt-get install of the .deb failed"
is_installed expectlab || fail "expectlab is not installed after apt-get install"

# ---- The installed program ----
bin=/usr/bin/expectlab
[ -x "$bin" ] || fail "$bin is missing"
step "$bin --version"
got="$("$bin" --version)" || fail "$bin --version failed (exit $?)"
echo "$got"
[ "$got" = "expectlab $version" ] || fail "--version printed '$got', expected 'expectlab $version'"

step "ldd $bin"
libs="$(ldd "$bin")"
if grep -q 'not found' <<<"$libs"; then fail "unresolved libraries: $(grep 'not found' <<<"$libs")"; fi
grep -q 'libQt6Widgets' <<<"$libs" || fail "$bin does not link Qt 6 Widgets"
if grep -q 'libQt5' <<<"$libs"; then fail "$bin links a Qt 5 library: $(grep libQt5 <<<"$libs")"; fi
echo "links Qt 6 only"

# The window has no quit flag: it must still be running when timeout stops it after 3 s (exit 124).
# A private HOME keeps the app's settings out of root's home.
step "QT_QPA_PLATFORM=offscreen timeout -s TERM 3 $bin"
mkdir -m 700 "$work/home" "$work/runtime"
set +e
HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_RUNTIME_DIR="$work/runtime" \
  QT_QPA_PLATFORM=offscreen timeout -s TERM -k 5 3 "$bin" >"$work/gui.log" 2>&1
gui_rc=$?
set -e
cat "$work/gui.log"
case "$gui_rc" in
  124) echo "the window ran until it was stopped" ;;
  0) fail "the window exited by itself before 3 s" ;;
  137) fail "the window ignored SIGTERM and had to be killed" ;;
  *) fail "the window exited with code $gui_rc (a crash or abort is >128)" ;;
esac

# ---- Desktop integration in the standard places ----
step "installed files"
desktop=/usr/share/applications/expectlab.desktop
metainfo="/usr/share/metainfo/$app_id.metainfo.xml"
man_page=/usr/share/man/man1/expectlab.1.gz
owned="$(dpkg -L expectlab)"
files=("$bin" "$desktop" "$metainfo" /usr/share/icons/hicolor/scalable/apps/expectlab.svg "$man_page")
for size in $icon_sizes; do files+=("/usr/share/icons/hicolor/${size}x${size}/apps/expectlab.png"); done
deb_listing="$(dpkg-deb -c "$deb" | awk '{print substr($6, 2)}')"
for f in "${files[@]}"; do
  if dpkg_drops "$f"; then
    grep -qxF "$f" <<<"$deb_listing" || fail "$f is not in the .deb"
    echo "ok $f (in the .deb; this machine's dpkg path-exclude keeps it off disk)"
    continue
  fi
  [ -s "$f" ] || fail "$f is missing or empty"
  grep -qxF "$f" <<<"$owned" || fail "$f is not owned by the expectlab package"
  echo "ok $f"
done
for size in $icon_sizes; do
  f="/usr/share/icons/hicolor/${size}x${size}/apps/expectlab.png"
  dpkg_drops "$f" && continue
  file -b "$f" | grep -q "PNG image data, $size x $size" || fail "$f is not a ${size}x${size} PNG: $(file -b "$f")"
done
grep -qx 'Exec=expectlab' "$desktop" || fail "$desktop does not start expectlab"
grep -qx 'Icon=expectlab' "$desktop" || fail "$desktop does not name the expectlab icon"

step "man page"
if dpkg_drops "$man_page"; then
  man_page="$work/expectlab.1.gz"
  dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/share/man/man1/expectlab.1.gz >"$man_page"
  echo "checking the man page from the .deb: dpkg path-exclude keeps man pages off this machine"
fi
zcat "$man_page" | grep -q '^\.TH EXPECTLAB "1"' || fail "$man_page is not a section 1 man page"
zcat "$man_page" | grep -q "expectlab $version" || fail "$man_page does not carry version $version"
zcat "$man_page" | grep -q 'serve' || fail "$man_page does not document the serve command"
if command -v man >/dev/null && ! dpkg_drops /usr/share/man/man1/expectlab.1.gz; then
  found="$(man -w expectlab)" || fail "man -w expectlab finds no page"
  [ "$found" = "$man_page" ] || fail "man -w expectlab found $found, expected $man_page"
  echo "man -w expectlab: $found"
fi

step "validate the installed desktop entry and AppStream metadata"
out="$(desktop-file-validate "$desktop" 2>&1)" || fail "desktop-file-validate: $out"
[ -z "$out" ] || fail "desktop-file-validate reported: $out"
appstreamcli validate --no-net "$metainfo" || fail "appstreamcli validate failed for $metainfo"
grep -q "<release version=\"$version\"" "$metainfo" || fail "$metainfo has no release $version"

# ---- Remove it again (cleanup repeats this if anything above failed) ----
step "apt-get remove -y expectlab"
apt-get "${apt_opts[@]}" remove -y expectlab || fail "apt-get remove expectlab failed"
! is_installed expectlab || fail "expectlab is still installed after apt-get remove"
for f in "${files[@]}"; do [ ! -e "$f" ] || fail "$f is left behind after removal"; done
# No conffiles, so nothing may remain in dpkg's database either (state "rc").
if dpkg-query -W -f='${db:Status-Abbrev}' expectlab 2>/dev/null | grep -q '^rc'; then
  fail "expectlab left configuration behind (dpkg state rc)"
fi
echo "PASS: expectlab $version packaged, installed, checked and removed"
