package du

func Free(path string) uint64 { return 0 }
