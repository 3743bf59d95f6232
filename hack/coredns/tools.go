//go:build tools

// Package tools pins CoreDNS so `go mod tidy` keeps it.
package tools

import _ "github.com/coredns/coredns"
