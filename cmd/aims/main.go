// Command aims is an AI management system for ISO/IEC 42001: run
// 'aims serve' and open http://localhost:8080.
package main

import (
	"os"

	"github.com/aims-dev/aims/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:])) }
