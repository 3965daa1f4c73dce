package verity

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSignatureJSONFormat(t *testing.T) {
	got, err := SignatureJSON([]byte{0xab, 0x01}, []byte("cert"), []byte{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	// sha256("cert")
	want := `{"rootHash":"ab01","certificateFingerprint":"06298432e8066b29e2223bcc23aa9504b56ae508fabf3435508869b9c3190e22","signature":"AQID"}`
	if len(got) != SignatureSize || string(got[:len(want)]) != want || strings.Trim(string(got[len(want):]), "\x00") != "" {
		t.Errorf("got %q…", got[:min(len(got), 200)])
	}
	if _, err := SignatureJSON(testRootHash, nil, make([]byte, 12300)); err == nil {
		t.Error("accepted a signature that does not fit")
	}
	// The largest that fits leaves room for the terminating NUL.
	over := len(`{"rootHash":"","signature":""}`) + 2*len(testRootHash)
	sig := make([]byte, (SignatureSize-1-over)/4*3)
	if _, err := SignatureJSON(testRootHash, nil, sig); err != nil {
		t.Errorf("refused a %d-byte signature that fits: %v", len(sig), err)
	}
}

// signedPartition signs the root hash with an openssl-made key, as repart
// does with --private-key/--certificate, and returns the partition content,
// the certificate path and its DER bytes.
func signedPartition(t *testing.T, dir string) ([]byte, string, string, []byte) {
	t.Helper()
	certPath, keyPath := selfSigned(t, dir, "-newkey", "rsa:2048")
	certPEM, _ := os.ReadFile(certPath)
	keyPEM, _ := os.ReadFile(keyPath)
	sig, err := Sign(testRootHash, certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(certPEM)
	der, err := CertificateDER(certPEM)
	if err != nil || !bytes.Equal(der, blk.Bytes) {
		t.Fatalf("CertificateDER: %v", err)
	}
	part, err := SignatureJSON(testRootHash, der, sig)
	if err != nil {
		t.Fatal(err)
	}
	return part, certPath, keyPath, der
}

func TestSignaturePartitionVerifies(t *testing.T) {
	dir := t.TempDir()
	part, certPath, _, certDER := signedPartition(t, dir)
	si, err := ParseSignatureJSON(part)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(si.RootHash, testRootHash) || len(si.CertificateFingerprint) != 32 {
		t.Fatalf("parsed %+v", si)
	}
	if _, err := SignatureJSON(testRootHash, certDER, si.Signature); err != nil {
		t.Fatal(err)
	}
	sigPath, content := filepath.Join(dir, "sig"), filepath.Join(dir, "content")
	os.WriteFile(sigPath, si.Signature, 0o644)
	os.WriteFile(content, []byte(hex.EncodeToString(si.RootHash)), 0o644)
	openssl(t, "smime", "-verify", "-binary", "-inform", "DER", "-content", content,
		"-in", sigPath, "-CAfile", certPath, "-purpose", "any", "-out", os.DevNull)
}

// TestJoinSignatureRoundTrip signs elsewhere (openssl), joins the signature
// as a file and as base64, and checks the partition equals signing in one go.
func TestJoinSignatureRoundTrip(t *testing.T) {
	dir := t.TempDir()
	oneGo, certPath, keyPath, certDER := signedPartition(t, dir)
	content, sigPath := filepath.Join(dir, "roothash"), filepath.Join(dir, "roothash.p7s")
	hexHash := hex.EncodeToString(testRootHash)
	os.WriteFile(content, []byte(hexHash), 0o644)
	openssl(t, "smime", "-sign", "-noattr", "-binary", "-outform", "DER", "-in", content,
		"-signer", certPath, "-inkey", keyPath, "-out", sigPath)
	sig, _ := os.ReadFile(sigPath)

	for _, arg := range []string{
		hexHash + ":" + sigPath,
		hexHash + ":base64:" + base64.StdEncoding.EncodeToString(sig),
		strings.ToUpper(hexHash) + ":base64:" + base64.StdEncoding.EncodeToString(sig)[:20] + "\n" + base64.StdEncoding.EncodeToString(sig)[20:],
	} {
		js, err := ParseJoinSignature(arg)
		if err != nil {
			t.Fatalf("%.80s: %v", arg, err)
		}
		var dataUUID, hashUUID [16]byte
		copy(dataUUID[:], testRootHash[:16])
		copy(hashUUID[:], testRootHash[16:])
		m, ok := MatchJoinSignature([]JoinSignature{js}, dataUUID, hashUUID)
		if !ok {
			t.Fatal("joined signature does not match the partition UUIDs")
		}
		joined, err := SignatureJSON(m.RootHash, certDER, m.Signature)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(joined, oneGo) {
			t.Errorf("%.80s: joined partition differs from signing in one go", arg)
		}
	}
}

func TestParseJoinSignatureErrors(t *testing.T) {
	hexHash := hex.EncodeToString(testRootHash)
	for _, arg := range []string{
		hexHash,                       // no SIG
		hexHash + ":base64:",          // empty
		hexHash + ":base64:!!",        // not base64
		hexHash + ":/nonexistent/sig", // no file
		"abcd:base64:AQID",            // hash shorter than 128 bits
		"xyz:base64:AQID",             // not hex
		hexHash + ":base64:" + base64.StdEncoding.EncodeToString(make([]byte, SignatureSize+1)),
	} {
		if _, err := ParseJoinSignature(arg); err == nil {
			t.Errorf("%.80s: accepted", arg)
		}
	}
}
