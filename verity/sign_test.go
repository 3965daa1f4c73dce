package verity

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func openssl(t *testing.T, args ...string) []byte {
	t.Helper()
	tool, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl not found (install the Debian package openssl): %v", err)
	}
	cmd := exec.Command(tool, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, out)
	}
	return out
}

// selfSigned makes a key and a self-signed certificate with openssl and
// returns the paths of the certificate and key PEM files.
func selfSigned(t *testing.T, dir string, keyArgs ...string) (string, string) {
	t.Helper()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	args := append([]string{"req", "-x509", "-nodes", "-subj", "/CN=gorepart verity test", "-days", "3650",
		"-keyout", key, "-out", cert}, keyArgs...)
	openssl(t, args...)
	return cert, key
}

var testRootHash, _ = hex.DecodeString("884f0d88f749599e839f3152c43d724499854fcadfb73e63de9812e922c018b2")

func TestSignVerifiesWithOpenSSL(t *testing.T) {
	for name, keyArgs := range map[string][]string{
		"rsa2048": {"-newkey", "rsa:2048"},
		"rsa4096": {"-newkey", "rsa:4096"},
		"p256":    {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			certPath, keyPath := selfSigned(t, dir, keyArgs...)
			certPEM, _ := os.ReadFile(certPath)
			keyPEM, _ := os.ReadFile(keyPath)
			sig, err := Sign(testRootHash, certPEM, keyPEM)
			if err != nil {
				t.Fatal(err)
			}
			sigPath, content := filepath.Join(dir, "sig"), filepath.Join(dir, "content")
			os.WriteFile(sigPath, sig, 0o644)
			os.WriteFile(content, []byte(hex.EncodeToString(testRootHash)), 0o644)
			openssl(t, "smime", "-verify", "-binary", "-inform", "DER", "-content", content,
				"-in", sigPath, "-CAfile", certPath, "-purpose", "any", "-out", os.DevNull)

			// A different root hash must not verify.
			os.WriteFile(content, []byte(hex.EncodeToString(testRootHash[1:])), 0o644)
			cmd := exec.Command("openssl", "smime", "-verify", "-binary", "-inform", "DER", "-content", content,
				"-in", sigPath, "-CAfile", certPath, "-purpose", "any", "-out", os.DevNull)
			if cmd.Run() == nil {
				t.Error("signature verified over another root hash")
			}

			if name == "p256" {
				return // ECDSA signatures are randomized; no byte comparison
			}
			os.WriteFile(content, []byte(hex.EncodeToString(testRootHash)), 0o644)
			refPath := filepath.Join(dir, "ref.sig")
			openssl(t, "smime", "-sign", "-noattr", "-binary", "-outform", "DER", "-in", content,
				"-signer", certPath, "-inkey", keyPath, "-out", refPath)
			ref, _ := os.ReadFile(refPath)
			if !bytes.Equal(sig, ref) {
				os.WriteFile(filepath.Join(os.TempDir(), "gorepart-verity-sig.der"), sig, 0o644)
				os.WriteFile(filepath.Join(os.TempDir(), "gorepart-verity-ref.der"), ref, 0o644)
				t.Errorf("signature differs from openssl smime -sign -noattr (%d vs %d bytes, sha256 %x vs %x)",
					len(sig), len(ref), sha256.Sum256(sig), sha256.Sum256(ref))
			}
		})
	}
}

func TestSignRefusesMismatchedKey(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	certA, _ := selfSigned(t, a, "-newkey", "rsa:2048")
	_, keyB := selfSigned(t, b, "-newkey", "rsa:2048")
	certPEM, _ := os.ReadFile(certA)
	keyPEM, _ := os.ReadFile(keyB)
	if _, err := Sign(testRootHash, certPEM, keyPEM); err == nil {
		t.Error("Sign accepted a key that does not match the certificate")
	}
}
