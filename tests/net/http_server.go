// A Go net/http server for the network acceptance tests (xtask/src/
// net_tests.rs): it answers every request with one line naming the method
// and the request URI, so the host can check the exact body it gets back
// through QEMU's port forward. Built statically (CGO_ENABLED=0) by the
// xtask. Listens on the port given as its only argument.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: http_server PORT")
		os.Exit(2)
	}
	listener, err := net.Listen("tcp", ":"+os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "http_server:", err)
		os.Exit(1)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "goose net/http: %s %s\n", r.Method, r.RequestURI)
	})
	fmt.Fprintln(os.Stderr, "http_server: serving on", listener.Addr())
	if err := http.Serve(listener, handler); err != nil {
		fmt.Fprintln(os.Stderr, "http_server:", err)
		os.Exit(1)
	}
}
