package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chorus-community/chorus"
)

// The Seed* methods write a second community's records directly in the
// schema of migration 0018, for the demo seed (cmd/chorus), chorus-load's
// -communities and the district tests. They predate the store's own
// scoped creations (AddCommunity, staff memberships, partner links):
// TODO(district): once those land, the callers create in the community's
// scope and these become no-ops to remove.

// seedTables are the tables SeedClaim may move rows of.
var seedTables = map[string]bool{"places": true, "estates": true, "residents": true, "events": true,
	"programmes": true, "orders": true, "messages": true, "kiosks": true, "announcements": true, "sms_inbox": true}

// SeedCommunity creates community c.ID (or renames it) with its name and
// SMS signature.
func (db *DB) SeedCommunity(ctx context.Context, c chorus.Community) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO community (id, name, sign_name, created_ms) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, sign_name = excluded.sign_name`,
			c.ID, c.Name, c.SignName, tx.now.UnixMilli())
		if err != nil {
			return fmt.Errorf("seed community %d: %w", c.ID, err)
		}
		return nil
	})
}

// SeedClaim makes the rows of table with the given ids community's.
func (db *DB) SeedClaim(ctx context.Context, community int64, table string, ids ...int64) error {
	if !seedTables[table] {
		return fmt.Errorf("seed claim: no table %q", table)
	}
	return db.update(ctx, func(tx *Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, "UPDATE "+table+" SET community_id = ? WHERE id = ?", community, id); err != nil {
				return fmt.Errorf("seed claim %s %d: %w", table, id, err)
			}
		}
		return nil
	})
}

// SeedClaimPhone makes a phone's resident, orders, messages and replies
// community's.
func (db *DB) SeedClaimPhone(ctx context.Context, community int64, phone string) error {
	return db.update(ctx, func(tx *Tx) error {
		for _, table := range []string{"residents", "orders", "messages", "sms_inbox"} {
			if _, err := tx.ExecContext(ctx, "UPDATE "+table+" SET community_id = ? WHERE phone = ?", community, phone); err != nil {
				return fmt.Errorf("seed claim %s of a phone: %w", table, err)
			}
		}
		return nil
	})
}

// SeedMembership gives staff member staffID role in community; district
// makes them a district admin (every community).
func (db *DB) SeedMembership(ctx context.Context, staffID, community int64, role chorus.Role, district bool) error {
	return db.update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_communities (staff_id, community_id, role) VALUES (?, ?, ?)
			ON CONFLICT (staff_id, community_id) DO UPDATE SET role = excluded.role`, staffID, community, role); err != nil {
			return fmt.Errorf("seed membership: %w", err)
		}
		if district {
			if _, err := tx.ExecContext(ctx, "UPDATE staff SET district = 1 WHERE id = ?", staffID); err != nil {
				return fmt.Errorf("seed district admin: %w", err)
			}
		}
		return nil
	})
}

// SeedPartnerCommunity links a partner to a community with the services
// it gives there and the estates it serves (none: all the community's).
func (db *DB) SeedPartnerCommunity(ctx context.Context, partnerID, community int64, services []chorus.ServiceKind, estates []int64) error {
	if services == nil {
		services = []chorus.ServiceKind{}
	}
	if estates == nil {
		estates = []int64{}
	}
	sj, _ := json.Marshal(services)
	ej, _ := json.Marshal(estates)
	return db.update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO partner_communities (partner_id, community_id, services, estates) VALUES (?, ?, ?, ?)
			ON CONFLICT (partner_id, community_id) DO UPDATE SET services = excluded.services, estates = excluded.estates`,
			partnerID, community, string(sj), string(ej)); err != nil {
			return fmt.Errorf("seed partner link: %w", err)
		}
		return nil
	})
}

// SeedUnlinkPartner removes a partner's link to a community.
func (db *DB) SeedUnlinkPartner(ctx context.Context, partnerID, community int64) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM partner_communities WHERE partner_id = ? AND community_id = ?", partnerID, community)
		return err
	})
}
