package verity

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/golden"
)

// The two seed derivations of repart.md §4.1/§4.3, written here only for the
// test (the planner owns them).
func deriveSalt(seed [16]byte, token string) []byte {
	m := hmac.New(sha256.New, seed[:])
	m.Write([]byte(token))
	return m.Sum(nil)
}

func deriveUUID(seed [16]byte, token string) [16]byte {
	var u [16]byte
	copy(u[:], deriveSalt(seed, token))
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// confValue returns the value of key in a definition file, or def.
func confValue(t *testing.T, text, key string, def int) int {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), key+"="); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("%s=%s: %v", key, v, err)
			}
			return n
		}
	}
	return def
}

func TestGoldenCopyBlocks(t *testing.T) {
	dir, err := golden.Dir()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"verity-copyblocks", "verity-copyblocks-blocksizes"} {
		t.Run(name, func(t *testing.T) {
			c, err := golden.Lookup(dir, name)
			if err != nil {
				t.Fatal(err)
			}
			read := func(f string) []byte {
				b, err := c.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}

			cmd, err := c.Command(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			var seed [16]byte
			if _, err := hex.Decode(seed[:], []byte(strings.ReplaceAll(cmd.Flag("--seed"), "-", ""))); err != nil {
				t.Fatalf("--seed=%s: %v", cmd.Flag("--seed"), err)
			}

			blobs, err := c.Blobs()
			if err != nil {
				t.Fatal(err)
			}
			if len(blobs) != 1 {
				t.Fatalf("want one blob, have %v", blobs)
			}
			var data []byte
			for _, b := range blobs {
				data = golden.Blob(b)
			}

			var hashConf string
			confs, _ := filepath.Glob(filepath.Join(c.Dir, "repart.d", "*.conf"))
			for _, c := range confs {
				if b, _ := os.ReadFile(c); bytes.Contains(b, []byte("Verity=hash")) {
					hashConf = string(b)
				}
			}
			if hashConf == "" {
				t.Fatal("no Verity=hash definition")
			}
			p := Params{
				DataBlockSize: confValue(t, hashConf, "VerityDataBlockSizeBytes", 4096),
				HashBlockSize: confValue(t, hashConf, "VerityHashBlockSizeBytes", 4096),
				Salt:          deriveSalt(seed, "verity-salt"),
				UUID:          deriveUUID(seed, "verity-uuid"),
			}

			var parts []struct {
				UUID     string `json:"uuid"`
				RawSize  int64  `json:"raw_size"`
				RootHash string `json:"roothash"`
			}
			if err := json.Unmarshal(read("expected.json"), &parts); err != nil {
				t.Fatal(err)
			}
			var partsha []string
			for _, l := range strings.Split(strings.TrimSpace(string(read("expected.partsha"))), "\n") {
				partsha = append(partsha, strings.Fields(l)[1])
			}
			if got := fmt.Sprintf("%x", sha256.Sum256(data)); got != partsha[0] {
				t.Fatalf("regenerated blob sha256 %s, data partition %s", got, partsha[0])
			}

			hashPart := &memWriterAt{b: make([]byte, parts[1].RawSize)}
			root, err := Build(bytes.NewReader(data), int64(len(data)), hashPart, p)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(root[:]); got != parts[1].RootHash {
				t.Errorf("root hash %s, systemd-repart %s", got, parts[1].RootHash)
			}
			dataUUID, hashUUID := PartitionUUIDs(root)
			if uuidString(dataUUID) != parts[0].UUID || uuidString(hashUUID) != parts[1].UUID {
				t.Errorf("partition UUIDs %s %s, systemd-repart %s %s", uuidString(dataUUID), uuidString(hashUUID), parts[0].UUID, parts[1].UUID)
			}
			if strings.Contains(hashConf, "Minimize=best") && HashSize(int64(len(data)), p) != parts[1].RawSize {
				t.Errorf("HashSize %d, minimized hash partition %d", HashSize(int64(len(data)), p), parts[1].RawSize)
			}
			if int64(len(hashPart.b)) != parts[1].RawSize {
				t.Errorf("hash area of %d bytes overflows the %d-byte partition", len(hashPart.b), parts[1].RawSize)
			}
			if got := fmt.Sprintf("%x", sha256.Sum256(hashPart.b)); got != partsha[1] {
				t.Errorf("hash partition sha256 %s, systemd-repart %s", got, partsha[1])
			}

			// The same through CopyAndBuild, writing the data partition too.
			dataPart := &memWriterAt{b: make([]byte, parts[0].RawSize)}
			hashPart2 := &memWriterAt{b: make([]byte, parts[1].RawSize)}
			root2, err := CopyAndBuild(dataPart, bytes.NewReader(data), int64(len(data)), parts[0].RawSize, hashPart2, p)
			if err != nil {
				t.Fatal(err)
			}
			if root2 != root || !bytes.Equal(hashPart2.b, hashPart.b) {
				t.Error("CopyAndBuild differs from Build")
			}
			if got := fmt.Sprintf("%x", sha256.Sum256(dataPart.b)); got != partsha[0] {
				t.Errorf("data partition sha256 %s, systemd-repart %s", got, partsha[0])
			}
		})
	}
}
