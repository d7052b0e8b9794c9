# Sourced by tools/setup.sh and tools/setup-arm64.sh.
#
# install_missing_packages NAME PACKAGE...: installs, with apt-get, the Debian packages that are not
# installed yet (refreshing apt's lists only then); NAME prefixes the messages. Uses $sudo.
install_missing_packages() {
    local name=$1 p
    shift
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "$name: all $# packages are installed"
        return
    fi
    echo "$name: installing ${missing[*]}"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}"
}
