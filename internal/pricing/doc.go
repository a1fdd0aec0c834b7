// Package pricing holds the price table (on-demand and batch USD per million input and output
// tokens, per model, with the date and source of every row) and the cost math of a run: what the
// tokens cost at the batch price, what the same tokens would have cost on-demand, and the saving.
//
// The default table is prices.json, embedded in the binary. Its rows were written from memory of
// aws.amazon.com/bedrock/pricing (us-east-1) and each row's source says so; a user corrects or
// extends it with a file of the same format (Parse, then Table.Merge), whose rows replace the
// default rows of the same modelId. Lookup accepts any model id form: a row for the exact id
// wins, else the row for its base id (cross-region prefix and ARN stripped, see model.BaseID).
// Cross-region and global inference profiles are priced like the base model unless a row names
// the profile id itself.
//
// This is a logic package: no AWS SDK and no file I/O.
package pricing
