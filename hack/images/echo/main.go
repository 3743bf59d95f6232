// The echo backend of the cluster tests: a static binary on an empty image (hack/images/echo),
// answering every request with JSON that names the backend and echoes the request, like
// test/harness/echo-server.ts does for the in-process tests.
//
//	NAME      backend name in replies (default: the hostname, i.e. the Pod's name)
//	PORT      listening port (default 8080)
//	SHUTDOWN_DELAY_SECONDS  after SIGTERM, keep serving this long before draining (default 0)
//	?status=NNN  answer with that status      ?delay=MS  wait that long before answering
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type reply struct {
	Backend string            `json:"backend"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// intParam returns the query parameter as an int within [lo, hi], or def.
func intParam(r *http.Request, name string, lo, hi, def int) int {
	v, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || v < lo || v > hi {
		return def
	}
	return v
}

func handler(backend string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if ms := intParam(r, "delay", 0, 600_000, 0); ms > 0 {
			select {
			case <-time.After(time.Duration(ms) * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
		// Lower-case names and comma-joined values, as Node's req.headers shows them; Go keeps
		// Host apart from the other headers.
		headers := map[string]string{"host": r.Host}
		for name, values := range r.Header {
			headers[strings.ToLower(name)] = strings.Join(values, ", ")
		}
		text, _ := json.Marshal(reply{backend, r.Method, r.RequestURI, headers, string(body)})
		w.Header().Set("content-type", "application/json")
		w.Header().Set("content-length", strconv.Itoa(len(text)))
		w.Header().Set("x-backend", backend)
		w.WriteHeader(intParam(r, "status", 200, 599, 200))
		_, _ = w.Write(text)
	}
}

func main() {
	backend := os.Getenv("NAME")
	if backend == "" {
		backend, _ = os.Hostname()
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	delay, _ := strconv.Atoi(os.Getenv("SHUTDOWN_DELAY_SECONDS"))
	server := &http.Server{Addr: ":" + port, Handler: handler(backend), ReadHeaderTimeout: 10 * time.Second}

	done := make(chan struct{})
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
		<-stop
		// Endpoints are removed while the Pod terminates; serving on for a moment lets proxies
		// notice before the listener closes. Then in-flight requests finish.
		time.Sleep(time.Duration(delay) * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = server.Shutdown(ctx)
		close(done)
	}()
	fmt.Printf("{\"backend\":%q,\"port\":%s}\n", backend, port)
	if err := server.ListenAndServe(); err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	<-done
}
