package luks

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// run runs a command and returns its combined output, failing the test on
// a non-zero exit.
func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// testRand is a deterministic random source for tests (Params.Rand).
type testRand struct{ r *rand.ChaCha8 }

func newTestRand(seed byte) *testRand {
	var s [32]byte
	s[0] = seed
	return &testRand{rand.NewChaCha8(s)}
}

func (r *testRand) Read(b []byte) (int, error) { return r.r.Read(b) }

// fastParams returns parameters with cheap KDF costs for tests that unlock
// many times; TestDefaultCosts covers the defaults.
func fastParams(key string) Params {
	return Params{
		UUID:             [16]byte{0xb4, 0xd1, 0x50, 0x1b, 0x43, 0x85, 0x4f, 0x47, 0xb0, 0x89, 0x29, 0x86, 0x43, 0xf4, 0xfd, 0x9a},
		Label:            "luks-root-x86-64",
		Key:              []byte(key),
		Argon2MemoryKiB:  1024,
		Argon2Lanes:      1,
		DigestIterations: 1000,
		Discard:          true,
	}
}

// createFile creates an empty file of size bytes in a temporary directory.
func createFile(t testing.TB, name string, size int64) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return f
}
