// The Go runtime under load: 1000 goroutines on the runtime's threads,
// forced garbage collections, timers, tickers, channels (buffered,
// unbuffered, select), sync.WaitGroup and sync.Mutex. Built statically
// (CGO_ENABLED=0) by the xtask; every line it prints is deterministic.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"time"
)

// goroutines starts 1000 goroutines that each add to a counter under a
// mutex and send their index on an unbuffered channel.
func goroutines() {
	const count = 1000
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		counter int
	)
	results := make(chan int)
	for i := 0; i < count; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			mu.Lock()
			counter += i
			mu.Unlock()
			runtime.Gosched()
			results <- i * i
		}(i)
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	sum, received := 0, 0
	for square := range results {
		sum += square
		received++
	}
	fmt.Printf("goroutines: %d received, counter %d, sum of squares %d\n", received, counter, sum)
}

// garbage allocates linked lists that become garbage and forces
// collections while goroutines allocate too.
func garbage() {
	type node struct {
		next    *node
		payload [64]byte
	}
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var wg sync.WaitGroup
	lengths := make([]int, 8)
	for g := range lengths {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for round := 0; round < 20; round++ {
				var head *node
				for i := 0; i < 2000; i++ {
					head = &node{next: head}
					head.payload[0] = byte(i)
				}
				n := 0
				for p := head; p != nil; p = p.next {
					n++
				}
				lengths[g] = n
			}
		}(g)
	}
	for i := 0; i < 5; i++ {
		runtime.GC()
	}
	wg.Wait()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	fmt.Printf("gc: lists of %v, at least 6 collections: %v\n", lengths, after.NumGC-before.NumGC >= 6)
}

// timers uses time.Timer, time.After, time.AfterFunc and a Ticker, and
// checks that none fires early.
func timers() {
	start := time.Now()
	timer := time.NewTimer(20 * time.Millisecond)
	<-timer.C
	fmt.Printf("timer: fired, not early: %v\n", time.Since(start) >= 20*time.Millisecond)

	stopped := time.NewTimer(time.Hour)
	fmt.Printf("timer: stopped before firing: %v\n", stopped.Stop())

	start = time.Now()
	select {
	case <-time.After(30 * time.Millisecond):
		fmt.Printf("after: fired, not early: %v\n", time.Since(start) >= 30*time.Millisecond)
	case <-time.After(10 * time.Second):
		fmt.Println("after: the long one fired first")
	}

	done := make(chan string)
	time.AfterFunc(5*time.Millisecond, func() { done <- "afterfunc ran" })
	fmt.Println(<-done)

	// The clock starts before the ticker: ticks count from its creation,
	// so a delay between the two would make a punctual fifth tick look
	// early.
	start = time.Now()
	ticker := time.NewTicker(10 * time.Millisecond)
	ticks := 0
	for range ticker.C {
		ticks++
		if ticks == 5 {
			break
		}
	}
	ticker.Stop()
	fmt.Printf("ticker: %d ticks, not early: %v\n", ticks, time.Since(start) >= 50*time.Millisecond)

	start = time.Now()
	time.Sleep(15 * time.Millisecond)
	fmt.Printf("sleep: not early: %v\n", time.Since(start) >= 15*time.Millisecond)
}

// channels passes values through a pipeline of unbuffered stages, fills
// and drains a buffered channel, and multiplexes with select.
func channels() {
	buffered := make(chan int, 10)
	for i := 0; i < 10; i++ {
		buffered <- i
	}
	fmt.Printf("buffered: len %d cap %d\n", len(buffered), cap(buffered))
	close(buffered)
	total := 0
	for v := range buffered {
		total += v
	}
	fmt.Printf("buffered: drained, total %d\n", total)

	// A pipeline of 10 stages, each adding one.
	source := make(chan int)
	var in <-chan int = source
	for stage := 0; stage < 10; stage++ {
		out := make(chan int)
		go func(in <-chan int, out chan<- int) {
			for v := range in {
				out <- v + 1
			}
			close(out)
		}(in, out)
		in = out
	}
	go func() {
		for i := 0; i < 100; i++ {
			source <- i
		}
		close(source)
	}()
	sum := 0
	for v := range in {
		sum += v
	}
	fmt.Printf("pipeline: sum %d\n", sum)

	// select over two producers until both close.
	a, b := make(chan string), make(chan string)
	go func() {
		for i := 0; i < 3; i++ {
			a <- fmt.Sprintf("a%d", i)
		}
		close(a)
	}()
	go func() {
		for i := 0; i < 4; i++ {
			b <- fmt.Sprintf("b%d", i)
		}
		close(b)
	}()
	var got []string
	for a != nil || b != nil {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			got = append(got, v)
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			got = append(got, v)
		}
	}
	sort.Strings(got)
	fmt.Printf("select: %v\n", got)

	empty := make(chan int)
	select {
	case <-empty:
		fmt.Println("select: received from an empty channel")
	default:
		fmt.Println("select: default when nothing is ready")
	}

	timeout := make(chan int)
	select {
	case <-timeout:
		fmt.Println("select: received from a silent channel")
	case <-time.After(10 * time.Millisecond):
		fmt.Println("select: timed out")
	}
}

// parallel runs CPU-bound goroutines on every P at once, handing a token
// around a ring of unbuffered channels.
func parallel() {
	const ringSize, laps = 16, 50
	ring := make([]chan int, ringSize)
	for i := range ring {
		ring[i] = make(chan int)
	}
	var wg sync.WaitGroup
	for i := 0; i < ringSize; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for lap := 0; lap < laps; lap++ {
				token := <-ring[i]
				if i == ringSize-1 && lap == laps-1 {
					fmt.Printf("ring: token %d after %d passes\n", token+1, ringSize*laps)
					return
				}
				ring[(i+1)%ringSize] <- token + 1
			}
		}(i)
	}
	ring[0] <- 0
	wg.Wait()
}

func main() {
	fmt.Printf("GOMAXPROCS at least 1: %v\n", runtime.GOMAXPROCS(0) >= 1)
	goroutines()
	garbage()
	timers()
	channels()
	parallel()
	fmt.Fprintln(os.Stderr, "done")
}
