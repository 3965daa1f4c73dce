package repart

import (
	"encoding/hex"
	"strings"
	"testing"
)

func mustUUID(t testing.TB, s string) UUID {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 {
		t.Fatalf("bad uuid %q", s)
	}
	var u UUID
	copy(u[:], b)
	return u
}

func fmtUUID(u UUID) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Test vectors from spec §4.2 (TEST-58's seed).
func TestDerivations(t *testing.T) {
	seed := mustUUID(t, "750b6cd5c4ae4012a15e7be3c29e6a47")
	check := func(name string, got UUID, want string) {
		t.Helper()
		if fmtUUID(got) != want {
			t.Errorf("%s = %s, want %s", name, fmtUUID(got), want)
		}
	}
	check("disk", DiskGUID(seed), "1d2ce291-7cce-4f7d-bc83-fdb49ad74ebd")
	check("home#0", partitionUUID(seed, mustUUID(t, "933ac7e1-2eb4-4f13-b844-0e14e2aef915"), 0), "4980595d-d74a-483a-aa9e-9903879a0ee5")
	root := mustUUID(t, "4f68bce3-e8cd-4db1-96e7-fbcaf984b709")
	check("root#0", partitionUUID(seed, root, 0), "60f33797-1d71-4dcb-aa6f-20564f036cd0")
	check("root#1", partitionUUID(seed, root, 1), "73a4ccd2-eaf5-44da-a366-f99188210fdc")
	check("fs uuid", FSUUID(partitionUUID(seed, root, 0)), "70e624a3-caca-4b82-b656-2e7168b70ff1")
	check("verity uuid", VerityUUID(seed), "5b4cf557-8269-4aa1-8669-41f3431271c8")
	if got := hex.EncodeToString(VeritySalt(seed)); got != "aece282c3c2def3554654f2e7295e770a8ba079339ff8818bd2dcd9a6817f99c" {
		t.Errorf("salt = %s", got)
	}
}
