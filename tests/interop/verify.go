// verify.go: an independent check of what a Seen node signs and serves,
// with Go's golang.org/x/mod/sumdb/note and sumdb/tlog (Debian's
// golang-golang-x-mod-dev), built offline:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o seen-interop verify.go
//
// It reads, as JSON on standard input, what `seen audit proof --json`
// prints: the node's exchange-log checkpoint (a C2SP tlog-checkpoint
// signed note), the note verifier key it is signed under, one leaf of
// the log, its index and the RFC 9162 inclusion proof of it that the
// node served.  It verifies the note with note.Open, reads the tree
// with tlog.ParseTree and the proof with tlog.CheckRecord, and exits 0
// with "ok" and what it checked, or 1 saying what failed.
//
// x/mod's ParseTree reads only the go.sum database's origin line; the
// lines after it are the tlog-checkpoint body that FormatTree writes, so
// the origin is checked here against the key's name and replaced by
// that line before ParseTree reads the rest.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type input struct {
	Vkey       string   `json:"vkey"`
	Checkpoint string   `json:"checkpoint"`
	Index      int64    `json:"index"`
	Leaf       string   `json:"leaf"`
	Proof      []string `json:"proof"`
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "seen-interop: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail("cannot read the input: %v", err)
	}
	v, err := note.NewVerifier(in.Vkey)
	if err != nil {
		fail("bad verifier key: %v", err)
	}
	n, err := note.Open([]byte(in.Checkpoint), note.VerifierList(v))
	if err != nil {
		fail("the checkpoint note does not verify: %v", err)
	}
	if len(n.Sigs) != 1 || n.Sigs[0].Name != v.Name() {
		fail("the note is not signed by %s alone", v.Name())
	}
	lines := strings.SplitN(n.Text, "\n", 2)
	if lines[0] != v.Name() {
		fail("the checkpoint's origin %q is not the key's name %q",
			lines[0], v.Name())
	}
	text := "go.sum database tree\n" + lines[1]
	tree, err := tlog.ParseTree([]byte(text))
	if err != nil {
		fail("the checkpoint body does not parse: %v", err)
	}
	// The body is exactly what FormatTree writes: no extension line.
	if !bytes.Equal(tlog.FormatTree(tree), []byte(text)) {
		fail("the checkpoint body is not what tlog.FormatTree writes")
	}
	leaf, err := base64.StdEncoding.DecodeString(in.Leaf)
	if err != nil {
		fail("the leaf is not base64: %v", err)
	}
	var proof tlog.RecordProof
	for _, p := range in.Proof {
		h, err := tlog.ParseHash(p)
		if err != nil {
			fail("a proof hash is not base64 of 32 bytes: %v", err)
		}
		proof = append(proof, h)
	}
	if err := tlog.CheckRecord(proof, tree.N, tree.Hash, in.Index,
		tlog.RecordHash(leaf)); err != nil {
		fail("the inclusion proof of leaf %d does not verify: %v",
			in.Index, err)
	}
	fmt.Printf("ok: %s signed size %d, root %s; leaf %d (%d bytes) is in it "+
		"(%d proof hashes)\n", v.Name(), tree.N, tree.Hash, in.Index,
		len(leaf), len(proof))
}
