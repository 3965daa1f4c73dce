package luks

import (
	"encoding/hex"
	"testing"
)

// TestVolumeKeyID uses a vector from systemd-repart 262: with
// EncryptedVolume=myvol:/etc/key::fixate-volume-key and
// --generate-crypttab it wrote fixate-volume-key=42247f8f… for the volume
// whose key cryptsetup luksDump --dump-volume-key gave as below
// (definitions as in testdata/repart262.txt plus EncryptKDF=minimal).
func TestVolumeKeyID(t *testing.T) {
	vk, _ := hex.DecodeString("459b2a012c224e620f360d7dfed31d5a08d5b35d057decf988c5cf4ba494429ca6fc53d463336bb75186b66a52ca0d13396d24b137a565477082482e6695fabe")
	got := volumeKeyID(vk, "myvol", "c18c486e-56b5-40e5-a0e4-18f043778732")
	if want := "42247f8f599dc73b2bf66a8042c61b4913c384350add3d32038e6db2184fea4b"; got != want {
		t.Fatalf("volume key id %s, want %s", got, want)
	}
	if volumeKeyID(vk, "", "u") != volumeKeyID(vk, "luks-u", "u") {
		t.Fatal("empty name is not luks-UUID")
	}
	if got := xescape("a:b\\c\x01\xff", ":"); got != `a\x3ab\x5cc\x01\xff` {
		t.Fatalf("xescape: %q", got)
	}
}
