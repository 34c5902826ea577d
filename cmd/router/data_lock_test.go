package main

import (
	"strings"
	"testing"
)

func TestDataDirLockedOnce(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockDataDir(dir)
	if err != nil {
		t.Fatalf("first lock: %v", err)
	}

	if _, err := lockDataDir(dir); err == nil || !strings.Contains(err.Error(), "in use by another") {
		t.Errorf("second lock error = %v, want one saying the directory is in use", err)
	}

	unlock()
	unlockAgain, err := lockDataDir(dir)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlockAgain()
}
