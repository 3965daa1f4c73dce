package repart

import (
	"fmt"
	"testing"

	"github.com/gorepart/gorepart/definitions"
)

// BenchmarkPlan128 plans a layout of 128 partitions of mixed types,
// weights and limits (issue 3: well under a millisecond per partition).
func BenchmarkPlan128(b *testing.B) {
	types := []definitions.PartitionType{
		typ(b, "linux-generic", "", "0fc63daf-8483-4772-8e79-3d69d8477de4"),
		typ(b, "root-x86-64", "root", "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"),
		typ(b, "home", "home", "933ac7e1-2eb4-4f13-b844-0e14e2aef915"),
	}
	var defs []*definitions.Definition
	for i := 0; i < 128; i++ {
		d := def(fmt.Sprintf("%03d.conf", i), types[i%len(types)])
		d.Weight = uint32(100 + i*7)
		if i%3 == 0 {
			d.SizeMax = sz(uint64(16+i) << 20)
		}
		if i%5 == 0 {
			d.PaddingMin, d.PaddingWeight = sz(1<<20), 10
		}
		defs = append(defs, d)
	}
	o := Options{Seed: UUID{1}, Size: 64 << 30}
	b.ReportAllocs()
	for b.Loop() {
		parts, _, err := Identify(defs, o.Seed)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Place(parts, nil, o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/128/1e3, "µs/partition")
}
