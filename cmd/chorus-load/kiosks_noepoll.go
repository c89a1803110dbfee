//go:build !linux

package main

import "errors"

// epollAvailable: elsewhere than Linux each connection has a goroutine.
const epollAvailable = false

func (f *fanout) readEpoll() error { return errors.New("-epoll needs Linux") }

func (f *fanout) closeRaw() {}
