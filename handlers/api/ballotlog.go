package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/ballotlog"
	"gongzhi/app/voting"
	"gongzhi/handlers/httpx"
)

// The ballot log's routes (issue 14, docs/bundle.md): the platform's public key,
// signed heads, consistency proofs, on-demand checkpoints and the bundles.

// logProofJSON is a receipt's place in the log, as GET /api/v1/receipts/{code} adds it.
// While no signed head covers the leaf yet, "pending" is true and there is no proof
// or head (a GET signs nothing; the next checkpoint or the close will cover it).
func logProofJSON(p voting.LogProof) fiber.Map {
	if p.Pending {
		if p.LeafHash == "" { // queued, not numbered yet: no leaf or proof until the sequencer's next pass
			return fiber.Map{"pending": true}
		}
		return fiber.Map{"vote_id": p.VoteID, "seq": p.Seq, "leaf": p.Leaf, "leaf_hash": p.LeafHash, "pending": true}
	}
	return fiber.Map{"vote_id": p.VoteID, "seq": p.Seq, "leaf": p.Leaf, "leaf_hash": p.LeafHash, "inclusion_proof": p.Proof, "head": p.Head, "pending": false}
}

// LogKey publishes the Ed25519 public key that signs tree heads.
func (h *VoteHandlers) LogKey(c *fiber.Ctx) error {
	s := h.Votes.LogSigner()
	if s == nil {
		return app.Fail(app.ENotFound, "err.api.no_log_key")
	}
	return c.JSON(fiber.Map{"algorithm": "ed25519", "public_key": s.PublicBase64(), "key_id": s.KeyID()})
}

// LogHeads lists a vote's signed tree heads.
func (h *VoteHandlers) LogHeads(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	hs, err := h.Votes.LogHeads(httpx.Ctx(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"heads": hs})
}

// sizeQuery reads a tree size from the query string.
func sizeQuery(c *fiber.Ctx, name string) (uint64, error) {
	n, err := strconv.ParseUint(c.Query(name), 10, 63)
	if err != nil {
		return 0, app.Invalid(name, app.M("err.api.a_tree_size_a_non_negative_integer"))
	}
	return n, nil
}

// LogConsistency proves a vote's head of size ?from= a prefix of its head of size ?to=.
func (h *VoteHandlers) LogConsistency(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	from, err := sizeQuery(c, "from")
	if err != nil {
		return err
	}
	to, err := sizeQuery(c, "to")
	if err != nil {
		return err
	}
	h1, h2, pr, err := h.Votes.Consistency(httpx.Ctx(c), id, from, to)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"from": h1, "to": h2, "consistency_proof": pr})
}

// LogCheckpoint signs a checkpoint of an open vote's log now.
func (h *VoteHandlers) LogCheckpoint(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	hd, err := h.Votes.Checkpoint(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"head": hd})
}

// sendBundle writes a bundle as a JSON download.
func sendBundle(c *fiber.Ctx, b *ballotlog.Bundle, name string) error {
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.JSON(b)
}

// PublicBundle downloads a published vote's public bundle.
func (h *VoteHandlers) PublicBundle(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	b, err := h.Votes.PublicBundle(httpx.Ctx(c), id)
	if err != nil {
		return err
	}
	return sendBundle(c, b, "vote-"+strconv.FormatInt(id, 10)+"-bundle.json")
}

// AuditorBundle downloads a counted vote's auditors' bundle.
func (h *VoteHandlers) AuditorBundle(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	b, err := h.Votes.AuditorBundle(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return sendBundle(c, b, "vote-"+strconv.FormatInt(id, 10)+"-auditor-bundle.json")
}
