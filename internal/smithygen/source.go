package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// errNoModel is returned when the model a directive names is not on this machine: the models are not part of
// the repository.
var errNoModel = errors.New("the model is not here")

// locateModel finds the file a -model value names and how generated files name it. Two kinds of value:
//
//   - name.json: a Smithy JSON AST in ../shared/spec, resolved from the module root.
//   - botocore@VERSION:path: a file under the data directory of the Python package botocore, which the AWS CLI
//     (v1) ships, at exactly VERSION (the directive pins it as go.mod pins a module). Its models are the
//     complete, current service models in botocore's format; python3 tells where the package is.
func locateModel(root, value string) (path, name string, err error) {
	spec, ok := strings.CutPrefix(value, "botocore@")
	if !ok {
		path = filepath.Join(root, "..", "shared", "spec", value)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return "", "", fmt.Errorf("%w: %s does not exist", errNoModel, path)
		}
		return path, value, nil
	}
	version, file, ok := strings.Cut(spec, ":")
	if !ok || version == "" || file == "" || filepath.IsAbs(file) || strings.Contains(file, "..") {
		return "", "", fmt.Errorf("-model %s: want botocore@VERSION:path/under/botocore/data", value)
	}
	bc, err := botocore()
	if err != nil {
		return "", "", fmt.Errorf("%w: botocore %s: %v (pip install botocore==%s)", errNoModel, version, err, version)
	}
	if bc.version != version {
		return "", "", fmt.Errorf("%w: the directive pins botocore %s, python3 imports %s from %s "+
			"(pip install botocore==%s, or move the pin and run go generate ./...)", errNoModel, version, bc.version,
			bc.dir, version)
	}
	path = filepath.Join(bc.dir, "data", filepath.FromSlash(file))
	if _, err := os.Stat(path); err != nil {
		return "", "", fmt.Errorf("botocore %s has no %s: %w", version, file, err)
	}
	return path, file + " of botocore " + version, nil
}

// botocoreInstall is the botocore package python3 imports.
type botocoreInstall struct{ version, dir string }

var botocore = sync.OnceValues(func() (botocoreInstall, error) {
	out, err := exec.Command("python3", "-c",
		"import os, botocore; print(botocore.__version__); print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			lines := strings.Split(strings.TrimSpace(string(ee.Stderr)), "\n")
			err = errors.New(lines[len(lines)-1])
		}
		return botocoreInstall{}, fmt.Errorf("python3 cannot import botocore: %w", err)
	}
	version, dir, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return botocoreInstall{version: strings.TrimSpace(version), dir: strings.TrimSpace(dir)}, nil
})
