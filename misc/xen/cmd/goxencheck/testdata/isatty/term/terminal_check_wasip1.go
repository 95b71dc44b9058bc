package term

func isTerminal(fd int) bool { return false }
