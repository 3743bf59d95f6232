//go:build tools

// Package tools pins h2spec as a dependency so `go mod tidy` keeps it.
package tools

import _ "github.com/summerwind/h2spec/cmd/h2spec"
