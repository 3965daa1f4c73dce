package nix

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

type moduleResult struct {
	Image            drvSummary  `json:"image"`
	Intermediate     *drvSummary `json:"intermediate"`
	FinalImage       *drvSummary `json:"finalImage"`
	FailedAssertions []string    `json:"failedAssertions"`
	Package          struct {
		GoVersion         string `json:"goVersion"`
		FromBuildPackages bool   `json:"fromBuildPackages"`
	} `json:"package"`
	Undeclared []string `json:"undeclared"`
}

func evalModule(t *testing.T, args string) moduleResult {
	t.Helper()
	out := withNixpkgsLib(t, func(lib string) string {
		return `import ./tests/eval-module.nix { ` + args + ` ` + lib + ` }`
	})
	var r moduleResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Undeclared) != 0 {
		t.Errorf("definitions of undeclared options: %q", r.Undeclared)
	}
	return r
}

// TestModule evaluates module.nix in a module-system evaluation against
// nixpkgs' image/repart.nix and repart-verity-store.nix of three eras
// (tests/nixos/repart-shape.nix): the image is gorepart's, the verity
// flow derives from it, and the label assertion still fires.
func TestModule(t *testing.T) {
	for _, era := range []string{"2026", "2025", "2024"} {
		t.Run(era, func(t *testing.T) {
			r := evalModule(t, `era = "`+era+`"; mkfsOptions = { vfat = [ "-S 4096" ]; };`)
			if r.Image.BuiltBy != "gorepart" || r.Image.Name != "appliance-23.1" {
				t.Errorf("system.build.image built by %q (%q), want gorepart's appliance-23.1", r.Image.BuiltBy, r.Image.Name)
			}
			if r.Image.Env["SYSTEMD_REPART_MKFS_OPTIONS_VFAT"] != "-S 4096" {
				t.Errorf("mkfsOptions not passed: env = %v", r.Image.Env)
			}
			if !r.Package.FromBuildPackages || r.Package.GoVersion != "1.26.8" {
				t.Errorf("default package: buildPackages %v, Go %q; want buildPackages and go_1_26 (1.26.8, as go.mod asks)", r.Package.FromBuildPackages, r.Package.GoVersion)
			}

			off := evalModule(t, `era = "`+era+`"; gorepart = false;`)
			if off.Image.BuiltBy != "systemd-repart" {
				t.Errorf("gorepart.enable = false: image built by %q, want nixpkgs' builder", off.Image.BuiltBy)
			}

			// The label assertion: with checkAssertWarn (2025+) the image
			// does not evaluate; before, it is a NixOS assertion.
			if era == "2024" {
				r := evalModule(t, `era = "`+era+`"; longLabel = true;`)
				if len(r.FailedAssertions) != 1 || !strings.Contains(r.FailedAssertions[0], "maximum label length supported by UEFI is 36") {
					t.Errorf("failed assertions %q, want the label one", r.FailedAssertions)
				}
			} else {
				msg := nixEval(t, `(import ./tests/eval-module.nix { era = "`+era+`"; longLabel = true; }).image.name`, true)
				if !strings.Contains(string(msg), "Failed assertions") || !strings.Contains(string(msg), "maximum label length supported by UEFI is 36") {
					t.Errorf("a 38-character label evaluated without the assertion:\n%s", msg)
				}
			}

			v := evalModule(t, `era = "`+era+`"; verity = true;`)
			if v.Intermediate == nil || v.Intermediate.BuiltBy != "gorepart" || !slices.Contains(v.Intermediate.SystemdRepartFlags, "--defer-partitions=esp") {
				t.Fatalf("verity intermediate image: %+v", v.Intermediate)
			}
			final := v.FinalImage
			if era == "2026" {
				final = &v.Image
			}
			if final == nil || final.BuiltBy != "gorepart" || slices.Contains(final.SystemdRepartFlags, "--empty=create") ||
				final.PreBuild == nil || !strings.Contains(*final.PreBuild, "appliance_23.1.raw .") ||
				!strings.Contains(final.PartitionsJSON, `"/EFI/Linux/nixos.efi"`) {
				t.Errorf("verity final image: %+v", final)
			}

			s := evalModule(t, `era = "`+era+`"; verity = true; single = true;`)
			want := []string{"--defer-partitions=esp", "--then=ukify build", "--then-copy=nixos.efi:/EFI/Linux/nixos.efi:esp"}
			for _, w := range want {
				if !slices.ContainsFunc(s.Image.GorepartFlags, func(f string) bool { return strings.HasPrefix(f, w) }) {
					t.Errorf("singleDerivation: gorepartFlags %q lack %s", s.Image.GorepartFlags, w)
				}
			}
			if !slices.Contains(s.Image.SystemdRepartFlags, "--empty=create") {
				t.Errorf("singleDerivation image is not created anew: %q", s.Image.SystemdRepartFlags)
			}
		})
	}
	t.Run("single-needs-verity", func(t *testing.T) {
		r := evalModule(t, `single = true;`)
		if len(r.FailedAssertions) != 1 || !strings.Contains(r.FailedAssertions[0], "verityStore.enable") {
			t.Errorf("failed assertions %q", r.FailedAssertions)
		}
	})
}

// TestPackageGo: package.nix builds with the first Go toolchain that is
// at least go.mod's go directive, and says so when there is none.
func TestPackageGo(t *testing.T) {
	r := evalModule(t, `goVersions = { go = "1.26.9"; go_1_26 = "1.26.9"; go_1_27 = "1.27.1"; };`)
	if r.Package.GoVersion != "1.26.9" {
		t.Errorf("Go %q, want the default go 1.26.9", r.Package.GoVersion)
	}
	msg := nixEval(t, `(import ./tests/eval-module.nix { goVersions = { go = "1.25.9"; go_1_25 = "1.25.9"; }; }).package.goVersion`, true)
	if !strings.Contains(string(msg), "go.mod needs Go") {
		t.Errorf("no clear error without a new enough Go:\n%s", msg)
	}
}
