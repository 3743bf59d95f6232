//go:build tools

// Pins the conformance module's packages so `go mod tidy` keeps them in go.mod and go.sum.
package tools

import (
	_ "sigs.k8s.io/gateway-api/conformance"
	_ "sigs.k8s.io/gateway-api/conformance/echo-basic"
)
