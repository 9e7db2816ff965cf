package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrNoConnectorsFile is what LoadConnectors wraps when dir has no
// connectors.yaml: dir is not a project folder.
var ErrNoConnectorsFile = errors.New("no " + ConnectorsFile)

// LoadConnectors reads dir's connectors.yaml alone, without settings or
// credentials: what `list` needs, so it works without a .env.
func LoadConnectors(dir string) (map[string]ConnectorSpec, error) {
	path := ConnectorsFile
	if dir != "" && dir != "." {
		path = filepath.Join(dir, ConnectorsFile)
	}
	src, err := os.ReadFile(filepath.Join(dir, ConnectorsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s", ErrNoConnectorsFile, dir)
	}
	if err != nil {
		return nil, readError(path, "connectors file", err)
	}
	return parseConnectorsYAML(path, src)
}
