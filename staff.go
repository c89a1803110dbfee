package chorus

import (
	"regexp"
	"time"
	"unicode/utf8"
)

// Role is what a staff member may do.
type Role string

// Roles. Admins also manage places, estates, partners, kiosk pairing and
// staff accounts; staff run events, bookings, check-in, orders and SMS.
const (
	RoleAdmin Role = "admin"
	RoleStaff Role = "staff"
)

// Staff is one of the community's staff, who logs in to the console.
type Staff struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	// Role is the staff member's role in Community, the community the
	// session acts in.
	Role     Role `json:"role"`
	Disabled bool `json:"disabled"`
	// Community is the community the session acts in (Scope.Community).
	Community int64 `json:"community,omitempty"`
	// Communities are the communities the staff member works for, with
	// the role in each; a district admin works for every one, as admin.
	Communities []Membership `json:"communities,omitempty"`
	// District marks a district admin (街道管理员): every community,
	// switching between them in the console, and the district page.
	District bool `json:"district,omitempty"`
	// Phone is the staff member's own mobile, if an admin recorded it: the
	// staff routes never confirm the hours of the volunteer with it.
	Phone     string    `json:"phone,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Can reports whether the staff member has at least role r.
func (s *Staff) Can(r Role) bool {
	return !s.Disabled && (s.Role == RoleAdmin || r == RoleStaff)
}

var usernameRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{1,31}$`)

// MinPasswordLen is the shortest password accepted, in characters.
const MinPasswordLen = 8

// ValidateStaff checks a new account's fields and password.
func ValidateStaff(s *Staff, password string) error {
	if !usernameRE.MatchString(s.Username) {
		return Errorf(EINVALID, "用户名要以小写字母开头,只用小写字母、数字和 _ . -,2到32位。")
	}
	if err := checkName("姓名", s.Name, 20); err != nil {
		return err
	}
	if s.Role != RoleAdmin && s.Role != RoleStaff {
		return Errorf(EINVALID, "角色只能是 admin(管理员)或 staff(工作人员)。")
	}
	if s.Phone != "" {
		p, err := NormalizePhone(s.Phone)
		if err != nil {
			return err
		}
		s.Phone = p
	}
	return ValidatePassword(password)
}

// ValidatePassword requires MinPasswordLen characters and at most 72 bytes
// (bcrypt's limit).
func ValidatePassword(p string) error {
	if utf8.RuneCountInString(p) < MinPasswordLen {
		return Errorf(EINVALID, "密码至少要%d位。", MinPasswordLen)
	}
	if len(p) > 72 {
		return Errorf(EINVALID, "密码太长了,最多72个字节。")
	}
	return nil
}

// AuditEntry records who changed what, when.
type AuditEntry struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	StaffID  int64     `json:"staff_id"`
	Username string    `json:"username"`
	Action   string    `json:"action"` // POST /api/admin/events
	Detail   string    `json:"detail"` // the path and outcome
	// Before and After are the record's values before and after the
	// change (JSON), or what was sent when the handler does not know.
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}
