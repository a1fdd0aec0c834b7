// Package runevent publishes the pipeline's own events ("Batch Run Completed") to an EventBridge
// bus through PutEvents. The local pipeline publishes to the in-process bus through Func instead.
package runevent
