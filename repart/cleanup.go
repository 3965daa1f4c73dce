package repart

// cleanupList undoes what a failed build made, last first.
type cleanupList []func()

func (c *cleanupList) add(f func()) { *c = append(*c, f) }

func (c *cleanupList) run() {
	for i := len(*c) - 1; i >= 0; i-- {
		(*c)[i]()
	}
}
