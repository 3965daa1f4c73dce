package nix

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// nixEval evaluates expr (relative paths from nix/) to JSON; with wantErr
// it must fail and its stderr is returned instead.
func nixEval(t *testing.T, expr string, wantErr bool) []byte {
	t.Helper()
	inst := needTool(t, "nix-instantiate", "nix-bin")
	cmd := exec.Command(inst, "--eval", "--strict", "--json", "-E", expr)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	switch {
	case wantErr && err == nil:
		t.Fatalf("%s evaluated, want an error:\n%s", expr, out)
	case wantErr:
		return []byte(stderr.String())
	case err != nil:
		t.Fatalf("nix-instantiate --eval %s: %v\n%s", expr, err, stderr.String())
	}
	return out
}

// withNixpkgsLib runs f with the stub lib and, when GOREPART_NIXPKGS_LIB
// names a nixpkgs lib/ directory, also with nixpkgs' own lib: the results
// must be byte-identical.
func withNixpkgsLib(t *testing.T, expr func(libArg string) string) []byte {
	t.Helper()
	stub := nixEval(t, expr(""), false)
	if dir := os.Getenv("GOREPART_NIXPKGS_LIB"); dir != "" {
		real := nixEval(t, expr("nixpkgsLib = "+dir+";"), false)
		if string(real) != string(stub) {
			t.Errorf("nixpkgs' lib gives another result than the stub:\nstub: %s\nreal: %s", stub, real)
		}
	}
	return stub
}

type drvSummary struct {
	Name                   string            `json:"name"`
	SystemdRepartFlags     []string          `json:"systemdRepartFlags"`
	GorepartFlags          []string          `json:"gorepartFlags"`
	PartitionsJSON         string            `json:"partitionsJSON"`
	Env                    map[string]string `json:"env"`
	RequiredSystemFeatures []string          `json:"requiredSystemFeatures"`
	NativeBuildInputs      []string          `json:"nativeBuildInputs"`
	PatchPhase             string            `json:"patchPhase"`
	BuildPhase             string            `json:"buildPhase"`
	InstallPhase           string            `json:"installPhase"`
	PreBuild               *string           `json:"preBuild"`
	BuiltBy                string            `json:"builtBy"`
}

// TestDropInArguments evaluates repart-image.nix with exactly the
// arguments nixpkgs' repart.nix passes in each era (tests/upstream/
// calls.nix, with the commits they were read at) and the override calls
// of repart-verity-store.nix.
func TestDropInArguments(t *testing.T) {
	type result struct {
		Image             drvSummary  `json:"image"`
		Intermediate      *drvSummary `json:"intermediate"`
		Final             *drvSummary `json:"final"`
		FinalRecompressed []string    `json:"finalRecompressed"`
		UpstreamFlags     []string    `json:"upstreamFlags"`
	}
	eval := func(era, overrides string) result {
		t.Helper()
		out := withNixpkgsLib(t, func(lib string) string {
			return `import ./tests/eval-repart-image.nix { era = "` + era + `"; overridesJSON = ''` + overrides + `''; ` + lib + ` }`
		})
		var r result
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, era := range []string{"2026", "2025", "2024"} {
		t.Run(era, func(t *testing.T) {
			r := eval(era, "{}")
			if !slices.Equal(r.Image.SystemdRepartFlags, r.UpstreamFlags) {
				t.Errorf("systemdRepartFlags = %q\nnixpkgs' = %q", r.Image.SystemdRepartFlags, r.UpstreamFlags)
			}
			if want := []string{"--manifest=.gorepart-manifest.json", "--compress=zstd", "--compress-level=3"}; !slices.Equal(r.Image.GorepartFlags, want) {
				t.Errorf("gorepartFlags = %q, want %q", r.Image.GorepartFlags, want)
			}
			if len(r.Image.NativeBuildInputs) != 1 || !strings.HasSuffix(r.Image.NativeBuildInputs[0], "-gorepart") {
				t.Errorf("nativeBuildInputs = %q, want only gorepart", r.Image.NativeBuildInputs)
			}
			if r.Image.RequiredSystemFeatures == nil || len(r.Image.RequiredSystemFeatures) != 0 {
				t.Errorf("requiredSystemFeatures = %q, want []", r.Image.RequiredSystemFeatures)
			}
			if r.Image.Env["SYSTEMD_REPART_MKFS_OPTIONS_EROFS"] != "-Efragments -zlz4hc,12" {
				t.Errorf("env = %v, want mkfsEnv", r.Image.Env)
			}
			if !strings.Contains(r.Image.BuildPhase, `gorepart "${systemdRepartFlags[@]}" "${gorepartFlags[@]}" appliance_23.1.raw`) &&
				!strings.Contains(r.Image.BuildPhase, `'appliance_23.1'.raw`) {
				t.Errorf("buildPhase does not build appliance_23.1.raw in the build directory:\n%s", r.Image.BuildPhase)
			}
			for _, phase := range []string{r.Image.PatchPhase, r.Image.BuildPhase, r.Image.InstallPhase} {
				for _, tool := range []string{"unshare", "fakeroot", "systemd-repart", "zstd ", "xz "} {
					if strings.Contains(phase, tool) {
						t.Errorf("a phase runs %s:\n%s", tool, phase)
					}
				}
			}
			if r.Intermediate == nil {
				t.Fatal("no intermediate image")
			}
			if got := r.Intermediate.SystemdRepartFlags; !slices.Equal(got, append(slices.Clone(r.UpstreamFlags), "--defer-partitions=esp")) {
				t.Errorf("intermediate systemdRepartFlags = %q", got)
			}
			if slices.ContainsFunc(r.Intermediate.GorepartFlags, func(f string) bool { return strings.HasPrefix(f, "--compress") }) {
				t.Errorf("intermediate is compressed (compression = { enable = false; }): %q", r.Intermediate.GorepartFlags)
			}
			if !strings.Contains(r.Intermediate.Name, "intermediate") {
				t.Errorf("intermediate name %q", r.Intermediate.Name)
			}
			if r.Final == nil {
				return
			}
			if slices.Contains(r.Final.SystemdRepartFlags, "--empty=create") {
				t.Errorf("final image (createEmpty = false) has --empty=create: %q", r.Final.SystemdRepartFlags)
			}
			if r.Final.PreBuild == nil || !strings.Contains(*r.Final.PreBuild, "/appliance_23.1.raw .") {
				t.Errorf("final preBuild does not copy the intermediate image: %v", r.Final.PreBuild)
			}
			if !strings.Contains(r.Final.PartitionsJSON, `"/EFI/Linux/nixos.efi":{"source":"/nix/store/33333333333333333333333333333333-nixos.efi/nixos.efi"}`) {
				t.Errorf("final partitionsJSON lacks the UKI: %s", r.Final.PartitionsJSON)
			}
			if want := []string{"--manifest=.gorepart-manifest.json"}; !slices.Equal(r.FinalRecompressed, want) {
				t.Errorf(".override after .overrideAttrs: gorepartFlags = %q, want %q", r.FinalRecompressed, want)
			}
		})
	}
	t.Run("options", func(t *testing.T) {
		r := eval("2026", `{"seed": null, "imageSize": "2G", "sectorSize": null, "split": true, "compression": {"enable": true, "algorithm": "zstd-seekable", "level": 9}, "createEmpty": false}`)
		want := []string{"--architecture=x86-64", "--dry-run=no", "--size=2G", "--definitions=repart.d", "--split=true", "--json=pretty"}
		if !slices.Equal(r.Image.SystemdRepartFlags, want) {
			t.Errorf("systemdRepartFlags = %q\nwant %q", r.Image.SystemdRepartFlags, want)
		}
		if want := []string{"--manifest=.gorepart-manifest.json", "--compress=zstd-seekable", "--compress-level=9"}; !slices.Equal(r.Image.GorepartFlags, want) {
			t.Errorf("gorepartFlags = %q, want %q", r.Image.GorepartFlags, want)
		}
	})
	t.Run("no-base-name", func(t *testing.T) {
		msg := nixEval(t, `(import ./tests/eval-repart-image.nix { era = "2024"; overridesJSON = ''{"imageFileBasename": null}''; }).image.buildPhase`, true)
		if !strings.Contains(string(msg), "needs baseName") {
			t.Errorf("error does not say baseName is missing:\n%s", msg)
		}
	})
}
