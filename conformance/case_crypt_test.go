package conformance

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// The LUKS2 cases that can run offline. Upstream opens the volumes with
// systemd-cryptsetup (device-mapper); the port unlocks the volume key with
// cryptsetup and decrypts the copied partition itself (luksOpen).

// luks2KeyhashSteps is testcase_luks2_keyhash. Upstream names the volume
// test-repart-lukskeyhash-$RANDOM to keep device-mapper names apart; the
// port activates nothing and uses a fixed number.
func luks2KeyhashSteps() []step {
	return []step{
		setVar("volume", "test-repart-lukskeyhash-5858"),
		put("root.conf", "$defs/root.conf"),
		repart("--pretty=yes", "--definitions", "$defs", "--empty=create", "--size=100M", "--seed=$seed",
			"--dry-run=no", "--offline=$OFFLINE", "--generate-crypttab=$imgs/crypttab", "$imgs/enckeyhash.img"),
		writeText("$imgs/empty-password", "", false),
		expectedHash("expected_hash", "$imgs/crypttab"),
		extract("$imgs/enckeyhash.img", 1, "$imgs/p1"),
		// Check that the volume can be attached with the correct hash:
		// systemd-cryptsetup attach accepts the volume when
		// fixate-volume-key= is the volume key's id.
		volumeKeyID("key_id", "$imgs/p1", "$imgs/empty-password", "$volume"),
		eq("$key_id", "$expected_hash"),
	}
}

// expectedHash is `VAR="$(grep UUID= FILE | sed s,.*fixate-volume-key=,,)"`.
func expectedHash(v, file string) step {
	return fn{v + "=$(grep UUID= " + file + " | sed s,.*fixate-volume-key=,,)", func(e *env) error {
		p, err := e.expand(file)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		re := regexp.MustCompile(`.*fixate-volume-key=`)
		var out []string
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "UUID=") {
				out = append(out, re.ReplaceAllString(line, ""))
			}
		}
		e.vars[v] = strings.Join(out, "\n")
		return nil
	}}
}

// volumeKeyID computes what systemd-cryptsetup compares fixate-volume-key=
// with (cryptsetup_get_volume_key_id() in src/shared/cryptsetup-util.c):
// HMAC-SHA256 keyed with the volume key over
// "cryptsetup:<volume name>:<LUKS UUID>", in hex.
func volumeKeyID(v, part, keyFile, volume string) step {
	return fn{v + "=volume key id of " + part + " as " + volume, func(e *env) error {
		p, err := paths(e, part, keyFile, volume)
		if err != nil {
			return err
		}
		uuid, err := exec.CommandContext(e.ctx, "cryptsetup", "luksUUID", p[0]).Output()
		if err != nil {
			return fmt.Errorf("cryptsetup luksUUID: %w", err)
		}
		vkFile := filepath.Join(e.vars["tmp"], "volume-key")
		defer os.Remove(vkFile)
		out, err := exec.CommandContext(e.ctx, "cryptsetup", "luksDump", "-q", "--dump-volume-key",
			"--volume-key-file="+vkFile, "--key-file="+p[1], p[0]).CombinedOutput()
		if err != nil {
			return fmt.Errorf("cryptsetup luksDump --dump-volume-key: %w\n%s", err, out)
		}
		vk, err := os.ReadFile(vkFile)
		if err != nil {
			return err
		}
		mac := hmac.New(sha256.New, vk)
		mac.Write([]byte("cryptsetup:" + p[2] + ":" + strings.TrimSpace(string(uuid))))
		e.vars[v] = hex.EncodeToString(mac.Sum(nil))
		return nil
	}}
}

// fstabCrypttabInRepartSteps is testcase_fstab_crypttab_in_repart; the
// volume name as in luks2KeyhashSteps.
func fstabCrypttabInRepartSteps() []step {
	return []step{
		setVar("volume", "test-repart-fstab-crypttab-5858"),
		mkdir("$root/etc"),
		put("root.conf", "$defs/root.conf"),
		repart("--pretty=yes", "--definitions", "$defs", "--empty=create", "--size=100M", "--seed=$seed",
			"--dry-run=no", "--offline=$OFFLINE", "--generate-fstab=/etc/fstab", "--generate-crypttab=/etc/crypttab",
			"--root=$root", "$imgs/fstabcrypttabrepart.img"),
		writeText("$imgs/empty-password", "", false),
		extract("$imgs/fstabcrypttabrepart.img", 1, "$imgs/p1"),
		luksOpen("$imgs/p1", "$imgs/empty-password", "$imgs/p1.ext4"),
		tool("e2fsck", "-fn", "$imgs/p1.ext4"),
		debugfsDump("$imgs/p1.ext4", "/etc", "$imgs/mount"),
		// Testing /etc/fstab presence
		readFile("output", "$imgs/mount/etc/fstab"),
		asserts("output", "fstab.assert"),
		// Testing /etc/crypttab presence
		readFile("output", "$imgs/mount/etc/crypttab"),
		asserts("output", "crypttab.assert"),
	}
}

func generateFstabDryRunSteps() []step {
	return []step{
		mkdir("$root/etc"),
		put("root.conf", "$defs/root.conf"),
		repart("--pretty=yes", "--definitions", "$defs", "--dry-run=yes", "--seed=$seed",
			"--generate-fstab=$root/etc/fstab", "-"),
		absent("$root/etc/fstab"),
	}
}

func encryptedVolumeEmptyNameSteps() []step {
	return []step{
		put("root.conf", "$defs/root.conf"),
		repart("--pretty=yes", "--definitions", "$defs", "--empty=create", "--size=100M", "--seed=$seed",
			"--dry-run=no", "--offline=$OFFLINE", "--generate-crypttab=$imgs/crypttab", "$imgs/emptyvolname.img"),
		readFile("output", "$imgs/crypttab"),
		asserts("output", "crypttab.assert"),
	}
}
