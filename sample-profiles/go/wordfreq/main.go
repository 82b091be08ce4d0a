// Command wordfreq is a small text-statistics batch job used to produce a
// real Go CPU profile (profile.proto) for brownfield's pprof reader.
//
// One run generates a deterministic corpus of documents from a Zipf-
// distributed vocabulary, then for each round:
//
//   - tokenizes every document (hand-written byte scanner with a suffix
//     stemmer, and small helpers that the compiler inlines);
//   - counts word and bigram frequencies in maps, sharded over worker
//     goroutines and merged;
//   - ranks the top words with sort.Slice;
//   - gzip-compresses the corpus and SHA-256-hashes every document.
//
// The tokenize and count stages run under pprof labels (stage=tokenize,
// stage=count, plus worker=N on the worker goroutines), so their samples
// carry labels in the profile.
//
// Usage: wordfreq [-docs N] [-rounds N] [-workers N] [-seed N] -cpuprofile FILE
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ---- corpus generation -----------------------------------------------------

var syllables = []string{
	"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po",
	"an", "el", "is", "or", "um", "qua", "tri", "ser", "gal", "mon",
}

// makeVocabulary builds n pseudo-words of 1 to 4 syllables.
func makeVocabulary(rng *rand.Rand, n int) []string {
	seen := make(map[string]bool, n)
	words := make([]string, 0, n)
	for len(words) < n {
		var b strings.Builder
		parts := 1 + rng.Intn(4)
		for i := 0; i < parts; i++ {
			b.WriteString(syllables[rng.Intn(len(syllables))])
		}
		w := b.String()
		if !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	return words
}

// generateCorpus writes docs documents of sentences drawn from a Zipf
// distribution over the vocabulary, with punctuation and mixed case.
func generateCorpus(seed int64, docs, wordsPerDoc int) [][]byte {
	rng := rand.New(rand.NewSource(seed))
	vocab := makeVocabulary(rng, 6000)
	zipf := rand.NewZipf(rng, 1.15, 4, uint64(len(vocab)-1))
	corpus := make([][]byte, docs)
	for d := range corpus {
		var buf bytes.Buffer
		sentence := 0
		for i := 0; i < wordsPerDoc; i++ {
			w := vocab[zipf.Uint64()]
			if sentence == 0 {
				buf.WriteString(strings.ToUpper(w[:1]))
				buf.WriteString(w[1:])
			} else {
				buf.WriteString(w)
			}
			sentence++
			switch {
			case sentence > 6 && rng.Intn(8) == 0:
				buf.WriteString(". ")
				sentence = 0
			case rng.Intn(15) == 0:
				buf.WriteString(", ")
			case rng.Intn(40) == 0:
				buf.WriteString(" (" + strconv.Itoa(rng.Intn(2000)) + ") ")
			default:
				buf.WriteByte(' ')
			}
		}
		buf.WriteString(".\n")
		corpus[d] = buf.Bytes()
	}
	return corpus
}

// ---- tokenizing --------------------------------------------------------------

// isWordByte and lower are small enough to be inlined into tokenize.
func isWordByte(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\''
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// suffixes are stripped by stem, longest first.
var suffixes = [][]byte{
	[]byte("ations"), []byte("ation"), []byte("ness"), []byte("ing"),
	[]byte("ser"), []byte("ed"), []byte("es"), []byte("ly"), []byte("um"), []byte("s"),
}

// stem removes the first matching suffix from a lower-case word, keeping at
// least three bytes, and folds doubled final consonants ("kann" -> "kan").
func stem(word []byte) []byte {
	for _, suffix := range suffixes {
		if len(word)-len(suffix) >= 3 && bytes.HasSuffix(word, suffix) {
			word = word[:len(word)-len(suffix)]
			break
		}
	}
	for n := len(word); n >= 4 && word[n-1] == word[n-2]; n-- {
		word = word[:n-1]
	}
	return word
}

// tokenize splits a document into lower-case, stemmed words, appending to
// dst. Numbers and punctuation are dropped.
func tokenize(doc []byte, dst []string, scratch []byte) ([]string, []byte) {
	start := -1
	for i := 0; i <= len(doc); i++ {
		if i < len(doc) && isWordByte(doc[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			scratch = scratch[:0]
			for _, c := range doc[start:i] {
				scratch = append(scratch, lower(c))
			}
			dst = append(dst, string(stem(scratch)))
			start = -1
		}
	}
	return dst, scratch
}

// ---- counting ----------------------------------------------------------------

type bigram struct{ a, b string }

type counts struct {
	words   map[string]int
	bigrams map[bigram]int
	tokens  int
}

func newCounts() *counts {
	return &counts{words: make(map[string]int), bigrams: make(map[bigram]int)}
}

// stopwords are counted as words but never start or end a bigram.
var stopwords = map[string]bool{"ze": true, "mi": true, "lo": true, "tri": true, "an": true, "el": true}

// countTokens adds the words and adjacent pairs of one document.
func (c *counts) countTokens(tokens []string) {
	for i, w := range tokens {
		c.words[w]++
		if i > 0 && !stopwords[w] && !stopwords[tokens[i-1]] {
			c.bigrams[bigram{tokens[i-1], w}]++
		}
	}
	c.tokens += len(tokens)
}

func (c *counts) merge(other *counts) {
	for w, n := range other.words {
		c.words[w] += n
	}
	for p, n := range other.bigrams {
		c.bigrams[p] += n
	}
	c.tokens += other.tokens
}

// analyseShard tokenizes and counts one shard of documents. The two stages
// run under their own pprof labels; the worker label is inherited.
func analyseShard(ctx context.Context, docs [][]byte) *counts {
	tokenized := make([][]string, len(docs))
	pprof.Do(ctx, pprof.Labels("stage", "tokenize"), func(context.Context) {
		var scratch []byte
		for i, doc := range docs {
			tokenized[i], scratch = tokenize(doc, make([]string, 0, 64), scratch)
		}
	})
	result := newCounts()
	pprof.Do(ctx, pprof.Labels("stage", "count"), func(context.Context) {
		for _, tokens := range tokenized {
			result.countTokens(tokens)
		}
	})
	return result
}

// analyse fans the corpus out over workers goroutines and merges the counts.
func analyse(ctx context.Context, corpus [][]byte, workers int) *counts {
	shards := make([]*counts, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo := len(corpus) * w / workers
		hi := len(corpus) * (w + 1) / workers
		wg.Add(1)
		go func(w int, docs [][]byte) {
			defer wg.Done()
			pprof.Do(ctx, pprof.Labels("worker", strconv.Itoa(w)), func(ctx context.Context) {
				shards[w] = analyseShard(ctx, docs)
			})
		}(w, corpus[lo:hi])
	}
	wg.Wait()
	total := newCounts()
	for _, s := range shards {
		total.merge(s)
	}
	return total
}

// ---- ranking -------------------------------------------------------------------

type entry struct {
	word  string
	count int
}

// topWords returns the k most frequent words, ties broken alphabetically.
func topWords(words map[string]int, k int) []entry {
	entries := make([]entry, 0, len(words))
	for w, n := range words {
		entries = append(entries, entry{w, n})
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].count != entries[j].count {
			return entries[i].count > entries[j].count
		}
		return entries[i].word < entries[j].word
	})
	if len(entries) > k {
		entries = entries[:k]
	}
	return entries
}

// ---- compression and hashing -----------------------------------------------------

// compressCorpus gzips all documents and returns the compressed size.
func compressCorpus(corpus [][]byte) int {
	var out countingWriter
	zw, _ := gzip.NewWriterLevel(&out, gzip.DefaultCompression)
	for _, doc := range corpus {
		zw.Write(doc)
	}
	zw.Close()
	return out.n
}

type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

// digestCorpus hashes every document and folds the digests together.
func digestCorpus(corpus [][]byte) string {
	fold := sha256.New()
	for _, doc := range corpus {
		sum := sha256.Sum256(doc)
		fold.Write(sum[:])
	}
	return hex.EncodeToString(fold.Sum(nil))
}

// ---- main ----------------------------------------------------------------------

func main() {
	docs := flag.Int("docs", 400, "documents in the corpus")
	wordsPerDoc := flag.Int("words", 600, "words per document")
	rounds := flag.Int("rounds", 12, "analysis rounds over the corpus")
	workers := flag.Int("workers", 2, "counting goroutines")
	seed := flag.Int64("seed", 7, "corpus random seed")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "wordfreq:", err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "wordfreq:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}

	started := time.Now()
	corpus := generateCorpus(*seed, *docs, *wordsPerDoc)
	generated := time.Since(started)

	ctx := context.Background()
	var total *counts
	var compressed int
	var digest string
	for r := 0; r < *rounds; r++ {
		total = analyse(ctx, corpus, *workers)
		top := topWords(total.words, 20)
		if r == *rounds-1 {
			fmt.Printf("top words:")
			for _, e := range top[:10] {
				fmt.Printf(" %s=%d", e.word, e.count)
			}
			fmt.Println()
		}
		compressed = compressCorpus(corpus)
		digest = digestCorpus(corpus)
	}
	size := 0
	for _, doc := range corpus {
		size += len(doc)
	}
	fmt.Printf("corpus: %d docs, %d bytes, %d tokens, %d distinct words, %d bigrams\n",
		len(corpus), size, total.tokens, len(total.words), len(total.bigrams))
	fmt.Printf("gzip: %d bytes; sha256 fold: %s\n", compressed, digest[:16])
	fmt.Printf("time: generate %.2fs, total %.2fs (%d rounds, %d workers)\n",
		generated.Seconds(), time.Since(started).Seconds(), *rounds, *workers)
}
