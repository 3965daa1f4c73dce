package luks

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
)

// writeKeyFile stores key in a file for cryptsetup --key-file.
func writeKeyFile(t testing.TB, key []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(p, key, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// formatted writes an empty volume of size bytes with p to a file.
func formatted(t testing.TB, size int64, p Params) *os.File {
	t.Helper()
	f := createFile(t, "img", size)
	w, err := NewWriter(f, size, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return f
}

// testPassphrase runs cryptsetup open --test-passphrase and reports
// whether the key opened a keyslot; other failures fail the test.
func testPassphrase(t testing.TB, cs, img string, key []byte) bool {
	t.Helper()
	out, err := exec.Command(cs, "open", "--test-passphrase", "--key-file", writeKeyFile(t, key), img).CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return true
	case errors.As(err, &ee) && ee.ExitCode() == 2: // "No key available with this passphrase."
		return false
	}
	t.Fatalf("cryptsetup open --test-passphrase: %v\n%s", err, out)
	return false
}

// TestCryptsetupDump checks cryptsetup's view of our header: the JSON it
// parses is ours, and its summary shows repart's parameters.
func TestCryptsetupDump(t *testing.T) {
	cs := testutil.Tool(t, "cryptsetup", "cryptsetup-bin")
	f := formatted(t, 40<<20, fastParams("secret"))
	h, err := ReadHeader(f)
	if err != nil {
		t.Fatal(err)
	}
	ours, _ := encodeMetadata(h.Metadata)
	m, err := decodeMetadata([]byte(run(t, cs, "luksDump", "--dump-json-metadata", f.Name())))
	if err != nil {
		t.Fatal(err)
	}
	theirs, _ := encodeMetadata(m)
	if !bytes.Equal(ours, theirs) {
		t.Fatalf("cryptsetup reads\n%s\nwe wrote\n%s", theirs, ours)
	}
	dump := run(t, cs, "luksDump", f.Name())
	for _, want := range []string{
		`Version:\s+2\n`,
		`Metadata area:\s+16384 \[bytes\]`,
		`Keyslots area:\s+16744448 \[bytes\]`,
		`UUID:\s+b4d1501b-4385-4f47-b089-298643f4fd9a\n`,
		`Label:\s+luks-root-x86-64\n`,
		`Flags:\s+allow-discards`,
		`offset: 16777216 \[bytes\]`,
		`length: \(whole device\)`,
		`cipher: aes-xts-plain64`,
		`sector: 4096 \[bytes\]`,
		`Key:\s+512 bits`,
		`PBKDF:\s+argon2id`,
		`AF stripes: 4000`,
		`Area offset:32768 \[bytes\]`,
		`Area length:258048 \[bytes\]`,
	} {
		if !regexp.MustCompile(want).MatchString(dump) {
			t.Errorf("luksDump lacks %q:\n%s", want, dump)
		}
	}
}

// TestCryptsetupOpens unlocks volumes made with each KDF, with an empty
// key (repart without a key file) and a binary one, and checks that a wrong
// key fails.
func TestCryptsetupOpens(t *testing.T) {
	cs := testutil.Tool(t, "cryptsetup", "cryptsetup-bin")
	for _, c := range []struct {
		kdf     string
		key     []byte
		kdfType string
		hash    string
	}{
		{KDFArgon2id, []byte("a key\nfile\x00with binary\xff"), "argon2id", "sha256"},
		{KDFPBKDF2, []byte("pass"), "pbkdf2", "sha256"},
		{KDFMinimal, nil, "pbkdf2", "sha512"},
	} {
		p := fastParams("")
		p.Key, p.KDF, p.PBKDF2Iterations = c.key, c.kdf, 1000
		p.Discard = false
		f := formatted(t, 40<<20, p)
		h, err := ReadHeader(f)
		if err != nil {
			t.Fatal(err)
		}
		ks := h.Metadata.Keyslots["0"]
		if ks.KDF.Type != c.kdfType || ks.AF.Hash != c.hash || (c.kdfType == "pbkdf2" && ks.KDF.Hash != c.hash) {
			t.Errorf("%s: keyslot kdf %+v af %+v", c.kdf, ks.KDF, ks.AF)
		}
		if c.kdf == KDFMinimal && (ks.KDF.Iterations != 1000 || h.Metadata.Digests["0"].Iterations != 1000) {
			t.Errorf("minimal: iterations %d/%d, want 1000", ks.KDF.Iterations, h.Metadata.Digests["0"].Iterations)
		}
		if h.Metadata.Config.Flags != nil {
			t.Errorf("%s: flags %v without Discard", c.kdf, h.Metadata.Config.Flags)
		}
		if !testPassphrase(t, cs, f.Name(), c.key) {
			t.Errorf("%s: cryptsetup does not open with the key", c.kdf)
		}
		if testPassphrase(t, cs, f.Name(), append([]byte("x"), c.key...)) {
			t.Errorf("%s: cryptsetup opens with a wrong key", c.kdf)
		}
		if _, err := OpenReader(f, 40<<20, c.key); err != nil {
			t.Errorf("%s: our reader: %v", c.kdf, err)
		}
	}
}

// TestDefaultCosts formats with the default KDF costs and has cryptsetup
// unlock it.
func TestDefaultCosts(t *testing.T) {
	cs := testutil.Tool(t, "cryptsetup", "cryptsetup-bin")
	f := formatted(t, 40<<20, Params{Key: []byte("k"), Label: "luks-x"})
	h, err := ReadHeader(f)
	if err != nil {
		t.Fatal(err)
	}
	kdf := h.Metadata.Keyslots["0"].KDF
	if kdf.Type != "argon2id" || kdf.Time != DefaultArgon2Time || kdf.Memory != DefaultArgon2MemoryKiB || kdf.CPUs != DefaultArgon2Lanes {
		t.Fatalf("kdf %+v", kdf)
	}
	if d := h.Metadata.Digests["0"]; d.Iterations != DefaultDigestIterations {
		t.Fatalf("digest iterations %d", d.Iterations)
	}
	if seg := h.Metadata.Segments["0"]; seg.SectorSize != 4096 {
		t.Fatalf("sector size %d", seg.SectorSize)
	}
	if !testPassphrase(t, cs, f.Name(), []byte("k")) {
		t.Fatal("cryptsetup does not open the default volume")
	}
}

// dumpVolumeKey has cryptsetup unlock img with key and return the volume
// key.
func dumpVolumeKey(t testing.TB, cs, img string, key []byte) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "vk")
	run(t, cs, "luksDump", "-q", "--dump-volume-key", "--volume-key-file", out, "--key-file", writeKeyFile(t, key), img)
	vk, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return vk
}

// opensslDecrypt decrypts the data segment ct with OpenSSL's AES-256-XTS
// (testdata/xts_openssl.py calls libcrypto), an implementation independent
// of ours, with the IVs dm-crypt uses for LUKS2.
func opensslDecrypt(t testing.TB, vk, ct []byte, sectorSize int) []byte {
	t.Helper()
	py := testutil.Tool(t, "python3", "python3 libssl3")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	if err := os.WriteFile(in, ct, 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, py, "testdata/xts_openssl.py", hex.EncodeToString(vk), fmt.Sprint(sectorSize), in, out)
	pt, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return pt
}

// cryptsetupReencrypt encrypts the plain file img in place the way repart
// does offline (cryptsetup's data-shift encryption, no device-mapper).
func cryptsetupReencrypt(t testing.TB, cs, img string, key []byte) {
	t.Helper()
	run(t, cs, "reencrypt", "--encrypt", "--type", "luks2", "--sector-size", "4096",
		"--reduce-device-size", fmt.Sprint(KeepFree>>20)+"M", "--pbkdf", "pbkdf2",
		"--pbkdf-force-iterations", "1000", "--key-file", writeKeyFile(t, key), "-q", img)
}

// TestReadCryptsetupVolumes opens volumes cryptsetup made: an empty one from
// luksFormat and an ext4 image it encrypted in place, whose plaintext our
// reader must give back.
func TestReadCryptsetupVolumes(t *testing.T) {
	cs := testutil.Tool(t, "cryptsetup", "cryptsetup-bin")
	mkfs := testutil.Tool(t, "mkfs.ext4", "e2fsprogs")
	key := []byte("cryptsetup's key")
	f := createFile(t, "fmt", 40<<20)
	f.Close()
	run(t, cs, "luksFormat", "--type", "luks2", "--sector-size", "4096", "--pbkdf", "argon2id",
		"--pbkdf-memory", "1024", "--pbkdf-parallel", "1", "--pbkdf-force-iterations", "4",
		"--label", "theirs", "-q", "--key-file", writeKeyFile(t, key), f.Name())
	src, err := os.Open(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	r, err := OpenReader(src, 40<<20, key)
	if err != nil {
		t.Fatal(err)
	}
	if r.Header().Label != "theirs" || !bytes.Equal(r.VolumeKey(), dumpVolumeKey(t, cs, f.Name(), key)) {
		t.Fatalf("label %q, or volume key differs from cryptsetup's", r.Header().Label)
	}
	if _, err := OpenReader(src, 40<<20, []byte("wrong")); err == nil {
		t.Fatal("wrong key opened cryptsetup's volume")
	}

	img := filepath.Join(t.TempDir(), "ext4")
	run(t, mkfs, "-q", "-F", "-b", "4096", "-E", "nodiscard", img, "24M")
	plain, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 24<<20+KeepFree); err != nil {
		t.Fatal(err)
	}
	cryptsetupReencrypt(t, cs, img, key)
	enc, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	r, err = OpenReader(enc, 24<<20+KeepFree, key)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(plain))
	if _, err := r.ReadAt(got, 0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatal("our reader's plaintext differs from the ext4 image cryptsetup encrypted")
	}
	if !strings.Contains(run(t, cs, "luksDump", img), "offset: 16777216 [bytes]") {
		t.Fatal("cryptsetup's data shift did not put the segment at 16 MiB")
	}
}
