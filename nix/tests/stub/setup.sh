# The builder of ./stdenv.nix's derivations, run by a static bash in the
# Nix sandbox: what nixpkgs' stdenv setup does for a derivation with
# __structuredAttrs, dontUnpack and string phases, and nothing more.
set -eu -o pipefail

# .attrs.sh is in the starting directory (Nix 2.8 sets NIX_ATTRS_SH_FILE
# to its path outside the sandbox).
if [ -e .attrs.sh ]; then source ./.attrs.sh; else source "$NIX_ATTRS_SH_FILE"; fi
for o in "${!outputs[@]}"; do
	export "$o=${outputs[$o]}"
done
# stdenv exports the env attribute set of structured attrs.
if declare -p env >/dev/null 2>&1; then
	for k in "${!env[@]}"; do
		export "$k=${env[$k]}"
	done
fi
PATH="$stubToolbox/bin"
for p in ${nativeBuildInputs[@]+"${nativeBuildInputs[@]}"}; do
	PATH="$p/bin:$PATH"
done
export PATH SHELL="$stubToolbox/bin/bash"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-315532800}"
export HOME=/homeless-shelter

# runHook NAME: a hook given as a string attribute is evaluated.
runHook() {
	local hook="$1"
	if [ -n "${!hook:-}" ]; then
		eval "${!hook}"
	fi
}

phase() {
	local name="$1" pre="$2" post="$3"
	if [ -n "${!name:-}" ]; then
		eval "${!name}"
	else
		runHook "$pre"
		runHook "$post"
	fi
}

if [ -z "${dontUnpack:-}" ]; then
	echo "stub stdenv: only dontUnpack derivations are supported" >&2
	exit 1
fi
phase patchPhase prePatch postPatch
phase buildPhase preBuild postBuild
phase installPhase preInstall postInstall
