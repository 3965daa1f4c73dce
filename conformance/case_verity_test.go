package conformance

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// The dm-verity cases. Where upstream dissects or mounts the image, the
// port copies the partitions out and asks veritysetup and openssl.

func verityDefs() []step {
	return []step{
		put("verity-data.conf", "$defs/verity-data.conf"),
		put("verity-hash.conf", "$defs/verity-hash.conf"),
	}
}

func veritySteps() []step {
	s := verityDefs()
	return append(s,
		put("verity-sig.conf", "$defs/verity-sig.conf"),
		put("verity.openssl.cnf", "$defs/verity.openssl.cnf"),
		tool("openssl", "req", "-config", "$defs/verity.openssl.cnf", "-new", "-x509", "-newkey", "rsa:1024",
			"-keyout", "$defs/verity.key", "-out", "$defs/verity.crt", "-days", "365", "-nodes"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "--empty=create",
			"--size=auto", "--split=yes", "--json=pretty", "--private-key=$defs/verity.key",
			"--certificate=$defs/verity.crt", "$imgs/verity").stdout("output"),
		pick("drh", "output", "", "type", "root-${architecture}", "roothash"),
		pick("hrh", "output", "", "type", "root-${architecture}-verity", "roothash"),
		pick("srh", "output", "", "type", "root-${architecture}-verity-sig", "roothash"),
		eq("$drh", "$hrh"),
		eq("$hrh", "$srh"),
		// The split-out verity signature file should be a valid JSON document (i.e. trailing NUL padding
		// from the on-disk partition must be trimmed when writing the split file).
		pick("sig_split", "output", "", "type", "root-${architecture}-verity-sig", "split_path"),
		neq("$sig_split", ""),
		neq("$sig_split", "null"),
		validJSON("$sig_split"),

		// Check that offline signing works and the resulting image is valid
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "--empty=create",
			"--size=auto", "--json=pretty", "--defer-partitions=root-${architecture}-verity-sig",
			"$imgs/offline").stdout("output"),
		pick("offline_drh", "output", "", "type", "root-${architecture}", "roothash"),
		writeText("$imgs/offline.roothash", "$offline_drh", false), // echo -n "$offline_drh" | openssl smime -in /dev/stdin
		tool("openssl", "smime", "-sign", "-in", "$imgs/offline.roothash", "-inkey", "$defs/verity.key",
			"-signer", "$defs/verity.crt", "-noattr", "-binary", "-outform", "der", "-out", "$imgs/offline.roothash.p7s"),
		repart("--offline", "$OFFLINE", "--definitions", "$defs", "--dry-run", "no",
			"--join-signature", "$offline_drh:$imgs/offline.roothash.p7s", "--certificate", "$defs/verity.crt",
			"$imgs/offline"),

		// Upstream dissects both images with --root-hash (verity and
		// signature checked, image UUID deterministic) and mounts them.
		tool("sfdisk", "--dump", "$imgs/verity").stdout("output"),
		asserts("output", "image-uuid.assert"),
		extract("$imgs/verity", 1, "$imgs/verity.p1"),
		extract("$imgs/verity", 2, "$imgs/verity.p2"),
		extract("$imgs/verity", 3, "$imgs/verity.p3"),
		tool("veritysetup", "verify", "$imgs/verity.p1", "$imgs/verity.p2", "$drh"),
		verifySignature("$imgs/verity.p3", "$drh", "$defs/verity.crt"),
		tool("e2fsck", "-fn", "$imgs/verity.p1"),
		tool("sfdisk", "--dump", "$imgs/offline").stdout("output"),
		asserts("output", "image-uuid.assert"),
		extract("$imgs/offline", 1, "$imgs/offline.p1"),
		extract("$imgs/offline", 2, "$imgs/offline.p2"),
		extract("$imgs/offline", 3, "$imgs/offline.p3"),
		tool("veritysetup", "verify", "$imgs/offline.p1", "$imgs/offline.p2", "$offline_drh"),
		verifySignature("$imgs/offline.p3", "$offline_drh", "$defs/verity.crt"),
		tool("e2fsck", "-fn", "$imgs/offline.p1"),
	)
}

// verifySignature checks a verity signature partition: JSON whose
// rootHash is HASH and whose signature is a PKCS#7 signature of HASH by
// CERT (what systemd-dissect checks before it trusts the root hash).
func verifySignature(part, hash, cert string) step {
	return check("verity signature in "+part+" signs "+hash, func(e *env) error {
		p, err := paths(e, part, hash, cert)
		if err != nil {
			return err
		}
		raw, err := os.ReadFile(p[0])
		if err != nil {
			return err
		}
		var sig struct {
			RootHash  string `json:"rootHash"`
			Signature string `json:"signature"`
		}
		if err := json.Unmarshal(bytes.TrimRight(raw, "\x00"), &sig); err != nil {
			return fmt.Errorf("signature partition: %w", err)
		}
		if sig.RootHash != p[1] {
			return fmt.Errorf("rootHash %q, want %q", sig.RootHash, p[1])
		}
		der, err := base64.StdEncoding.DecodeString(sig.Signature)
		if err != nil {
			return err
		}
		dir := e.vars["tmp"]
		if err := os.WriteFile(filepath.Join(dir, "sig.p7s"), der, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "roothash"), []byte(p[1]), 0o644); err != nil {
			return err
		}
		out, err := exec.CommandContext(e.ctx, "openssl", "smime", "-verify", "-binary", "-inform", "der",
			"-in", filepath.Join(dir, "sig.p7s"), "-content", filepath.Join(dir, "roothash"),
			"-CAfile", p[2], "-purpose", "any", "-out", os.DevNull).CombinedOutput()
		if err != nil {
			return fmt.Errorf("openssl smime -verify: %w\n%s", err, out)
		}
		return nil
	})
}

func verityExplicitBlockSizeSteps() []step {
	return append(verityDefs(),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "--empty=create",
			"--size=auto", "--json=pretty", "$imgs/verity"),
		extract("$imgs/verity", 2, "$imgs/p2"),
		tool("veritysetup", "dump", "$imgs/p2").stdout("output"),
		asserts("output", "p2.assert"),
	)
}

func verityHashSizeFromDataSizeSteps() []step {
	return append(verityDefs(),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "--empty=create",
			"--size=auto", "--json=pretty", "$imgs/verity"),
		tool("sfdisk", "-J", "$imgs/verity").stdout("output"),
		pick("hash_sectors_actual", "output", "partitiontable.partitions", "name", "root-${architecture}-verity", "size"),
		pick("data_sectors", "output", "partitiontable.partitions", "name", "root-${architecture}", "size"),
		check("hash_sectors_expected=$((hash_bytes / 512)); data_verity_blocks=$((data_sectors*512/4096)); data_bytes < data_bytes_below", func(e *env) error {
			n, err := ints(e, "hash_bytes", "data_sectors", "data_bytes_below")
			if err != nil {
				return err
			}
			e.vars["hash_sectors_expected"] = strconv.FormatInt(n[0]/512, 10)
			e.vars["data_verity_blocks"] = strconv.FormatInt(n[1]*512/4096, 10)
			if n[1]*512 >= n[2] {
				return fmt.Errorf("data partition is %d bytes, want < %d", n[1]*512, n[2])
			}
			return nil
		}),
		eq("$hash_sectors_expected", "$hash_sectors_actual"),
		extract("$imgs/verity", 2, "$imgs/p2"),
		tool("veritysetup", "dump", "$imgs/p2").stdout("output"),
		asserts("output", "p2.assert"),
	)
}

// ints reads variables as integers.
func ints(e *env, names ...string) ([]int64, error) {
	out := make([]int64, len(names))
	for i, n := range names {
		v, err := strconv.ParseInt(e.vars[n], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("$%s: %w", n, err)
		}
		out[i] = v
	}
	return out, nil
}

func verityEncryptSteps() []step {
	dryRun := func() *execStep {
		return repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=yes", "--empty=create",
			"--size=auto", "--key-file=$imgs/key", "$imgs/refused")
	}
	return []step{
		writeText("$imgs/key", "wetterfrosch", false),
		// Encrypting verity hash partitions must be refused
		put("1-verity-data.conf", "$defs/verity-data.conf"),
		put("1-verity-hash.conf", "$defs/verity-hash.conf"),
		dryRun().fails(),
		// Minimize= on the hash partition of an encrypted data partition must be refused.
		put("2-verity-data.conf", "$defs/verity-data.conf"),
		put("2-verity-hash.conf", "$defs/verity-hash.conf"),
		dryRun().fails().output("output"),
		asserts("output", "2-refused.assert"),
		// Now a valid combination: the hash partition is sized via SizeMaxBytes= of the data partition
		put("3-verity-data.conf", "$defs/verity-data.conf"),
		put("3-verity-hash.conf", "$defs/verity-hash.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "--empty=create",
			"--size=auto", "--key-file=$imgs/key", "--json=pretty", "$imgs/verity-encrypt").stdout("output"),
		pick("drh", "output", "", "type", "root-${architecture}", "roothash"),
		pick("hrh", "output", "", "type", "root-${architecture}-verity", "roothash"),
		neq("$drh", "null"),
		eq("$drh", "$hrh"),

		// Upstream attaches the image with systemd-dissect from here on.
		extract("$imgs/verity-encrypt", 1, "$imgs/p1"),
		extract("$imgs/verity-encrypt", 2, "$imgs/p2"),
		tool("blkid", "--output", "value", "--match-tag", "TYPE", "$imgs/p1").stdout("output"),
		asserts("output", "p1-type.assert"),
		// ... and the verity hash data must cover exactly that ciphertext
		tool("veritysetup", "verify", "$imgs/p1", "$imgs/p2", "$drh"),
		// The copied-in files must be intact
		luksOpen("$imgs/p1", "$imgs/key", "$imgs/p1.plain"),
		extractFS("$imgs/p1.plain", "$imgs/mnt"),
		cmpFiles("$defs/verity-data.conf", "$imgs/mnt$defs/verity-data.conf", 0, 0, 0),
		// Now corrupt a block in the middle of the encrypted data partition and check that verification fails
		corruptMiddle("$imgs/p1"),
		tool("veritysetup", "verify", "$imgs/p1", "$imgs/p2", "$drh").fails(),
	}
}

// corruptMiddle is `dd if=/dev/urandom of=PART bs=4096 count=1
// seek=$((part_size / 2 / 4096)) conv=notrunc`.
func corruptMiddle(part string) step {
	return fn{"dd if=/dev/urandom of=" + part + " bs=4096 count=1 seek=$((part_size / 2 / 4096)) conv=notrunc", func(e *env) error {
		p, err := e.expand(part)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		block := bytes.Repeat([]byte{0x5a, 0xa5, 0x3c, 0xc3}, 1024)
		if _, err := f.WriteAt(block, st.Size()/2/4096*4096); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}}
}
