package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVeritySignature signs the usr root hash in one build, checks the
// signature with openssl, and checks that signing elsewhere and joining
// (--defer-partitions= then --join-signature= on the same image) gives
// the same image.
func TestVeritySignature(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if out, err := exec.Command("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
		"-out", "cert.pem", "-subj", "/CN=gorepart test", "-days", "2").CombinedOutput(); err != nil {
		t.Fatalf("openssl req: %v\n%s", err, out)
	}
	defs := filepath.Join(dir, "repart.d")
	os.MkdirAll(defs, 0o755)
	blob := filepath.Join(dir, "usr.img")
	os.WriteFile(blob, bytes.Repeat([]byte("verity signed..."), 1<<16), 0o644)
	for n, text := range map[string]string{
		"10-usr.conf":            "[Partition]\nType=usr\nCopyBlocks=" + blob + "\nVerity=data\nVerityMatchKey=usr\nSplitName=-\n",
		"11-usr-verity.conf":     "[Partition]\nType=usr-verity\nVerity=hash\nVerityMatchKey=usr\nMinimize=best\nSplitName=-\n",
		"12-usr-verity-sig.conf": "[Partition]\nType=usr-verity-sig\nVerity=signature\nVerityMatchKey=usr\n",
	} {
		os.WriteFile(filepath.Join(defs, n), []byte(text), 0o644)
	}
	gorepart := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		all := append([]string{"gorepart", "--dry-run=no", "--json=pretty", "--definitions=" + defs, "--certificate=cert.pem"}, args...)
		if rc := run(context.Background(), all, nil, &stdout, &stderr, func(string) string { return "" }); rc != 0 {
			t.Fatalf("%v: exit %d\n%s", args, rc, stderr.String())
		}
		return stdout.String()
	}
	report := gorepart("--empty=create", "--size=auto", "--split=yes", "--private-key=key.pem", "signed.raw")
	var rows []struct {
		Type, Roothash string
		SplitPath      string `json:"split_path"`
	}
	if err := json.Unmarshal([]byte(report), &rows); err != nil {
		t.Fatal(err)
	}
	root, sigFile := "", ""
	for _, r := range rows {
		if r.Type == "usr-x86-64-verity-sig" {
			root, sigFile = r.Roothash, r.SplitPath
		}
	}
	if len(root) != 64 || sigFile == "" {
		t.Fatalf("no signature partition with a root hash in:\n%s", report)
	}
	var sig struct {
		RootHash               string `json:"rootHash"`
		CertificateFingerprint string `json:"certificateFingerprint"`
		Signature              string `json:"signature"`
	}
	data, _ := os.ReadFile(sigFile)
	if err := json.Unmarshal(data, &sig); err != nil || sig.RootHash != root {
		t.Fatalf("signature JSON %q: %v", data, err)
	}
	der, _ := base64.StdEncoding.DecodeString(sig.Signature)
	os.WriteFile("sig.der", der, 0o644)
	os.WriteFile("roothash", []byte(root), 0o644)
	if out, err := exec.Command("openssl", "smime", "-verify", "-binary", "-inform", "DER", "-content", "roothash",
		"-in", "sig.der", "-CAfile", "cert.pem", "-purpose", "any", "-out", "/dev/null").CombinedOutput(); err != nil {
		t.Fatalf("openssl smime -verify: %v\n%s", err, out)
	}

	// Sign elsewhere, then join.
	gorepart("--empty=create", "--size=auto", "--defer-partitions=usr-verity-sig", "joined.raw")
	if out, err := exec.Command("openssl", "smime", "-sign", "-noattr", "-binary", "-outform", "der", "-in", "roothash",
		"-signer", "cert.pem", "-inkey", "key.pem", "-out", "elsewhere.der").CombinedOutput(); err != nil {
		t.Fatalf("openssl smime -sign: %v\n%s", err, out)
	}
	gorepart("--empty=allow", "--join-signature="+root+":elsewhere.der", "joined.raw")
	a, _ := os.ReadFile("signed.raw")
	b, _ := os.ReadFile("joined.raw")
	if !bytes.Equal(a, b) {
		t.Fatalf("joined image differs from the one signed in one go")
	}
	if !strings.HasPrefix(sig.Signature, "MII") {
		t.Errorf("signature does not look like DER base64: %.20s", sig.Signature)
	}
}
