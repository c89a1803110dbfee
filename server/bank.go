package server

import (
	"context"
	"net/http"
	"time"

	"github.com/chorus-community/chorus"
)

// BankStore keeps the time bank (时间银行, issue 20): its ledger, rules and
// help requests. Every method acts in the context's scope; another
// community's object is ENOTFOUND.
type BankStore interface {
	// BankAccounts returns the community's accounts with balances.
	BankAccounts(ctx context.Context) ([]chorus.Account, error)
	// BankAccount returns one account. Errors: ENOTFOUND.
	BankAccount(ctx context.Context, id int64) (*chorus.Account, error)
	// BankStatement returns an account's transfers with running balances.
	BankStatement(ctx context.Context, account int64) ([]chorus.StatementLine, error)
	// BankHolderPhone returns a person's account holder's phone.
	BankHolderPhone(ctx context.Context, account int64) (string, error)
	// ReverseTransfer undoes a transfer. Errors: ENOTFOUND, ECONFLICT,
	// EFORBIDDEN, EINVALID.
	ReverseTransfer(ctx context.Context, id int64, operator, reason string) (*chorus.Transfer, error)
	// GiveHours gifts or donates hours. Errors: ENOTFOUND, EFORBIDDEN,
	// ECONFLICT, EINVALID.
	GiveHours(ctx context.Context, g chorus.BankGift, operator string) (*chorus.Transfer, error)
	// GrantHours pays hours from the pool to a resident. Errors:
	// ENOTFOUND, EINVALID.
	GrantHours(ctx context.Context, resident int64, minutes int, operator, reason string) (*chorus.Transfer, error)
	// BankRules returns the community's rules.
	BankRules(ctx context.Context) (chorus.BankRules, error)
	// SaveBankRules stores the community's rules. Errors: EINVALID.
	SaveBankRules(ctx context.Context, r *chorus.BankRules, operator string) error
	// HelpRequests lists help requests, of one status when set.
	HelpRequests(ctx context.Context, status chorus.HelpStatus) ([]chorus.HelpRequest, error)
	// AskHelp stores and dispatches a help request. Errors: ENOTFOUND,
	// EINVALID, EFORBIDDEN.
	AskHelp(ctx context.Context, a chorus.HelpAsk, poolPays bool, approvedBy string) (*chorus.HelpRequest, error)
	// CompleteHelp records a help request's hours for the resident to
	// confirm. Errors: ENOTFOUND, EINVALID, ECONFLICT.
	CompleteHelp(ctx context.Context, id int64, minutes int) (*chorus.HelpRequest, error)
	// ConfirmHelp confirms a help request's hours for staff. Errors:
	// ENOTFOUND, ECONFLICT, EFORBIDDEN.
	ConfirmHelp(ctx context.Context, id int64, login, staffPhone string) (*chorus.HelpRequest, error)
	// ApproveHelp lets the pool pay, or the resident overdraw. Errors:
	// ENOTFOUND, ECONFLICT.
	ApproveHelp(ctx context.Context, id int64, poolPays, overdraft bool, operator string) (*chorus.HelpRequest, error)
	// CancelHelp calls a help request off. Errors: ENOTFOUND, ECONFLICT.
	CancelHelp(ctx context.Context, id int64) (*chorus.HelpRequest, error)
	// SetBirthYear records a resident's birth year. Errors: ENOTFOUND,
	// EINVALID.
	SetBirthYear(ctx context.Context, phone string, year int) error
}

// setBirthYear is PUT /api/admin/residents/{phone}/birth-year
// {birth_year}: from what age a resident may spend hours.
func (s *Server) setBirthYear(w http.ResponseWriter, r *http.Request) error {
	phone, err := chorus.NormalizePhone(r.PathValue("phone"))
	if err != nil {
		return err
	}
	var b struct {
		BirthYear int `json:"birth_year"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if err := s.Bank.SetBirthYear(r.Context(), phone, b.BirthYear); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, b)
	return nil
}

// operator names the staff member of a request for the ledger.
func operator(r *http.Request) string {
	if st := StaffFrom(r.Context()); st != nil {
		return chorus.StaffOperator(st.Username)
	}
	return chorus.OperatorSystem
}

// accountsAnswer is GET /api/admin/bank/accounts.
type accountsAnswer struct {
	Accounts []chorus.Account `json:"accounts"`
}

func (s *Server) listBankAccounts(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Bank.BankAccounts(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []chorus.Account{}
	}
	WriteJSON(w, http.StatusOK, accountsAnswer{Accounts: list})
	return nil
}

// statementAnswer is GET /api/admin/bank/accounts/{id}: the account and
// its ledger.
type statementAnswer struct {
	Account chorus.Account         `json:"account"`
	Lines   []chorus.StatementLine `json:"lines"`
}

func (s *Server) getBankAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.Bank.BankAccount(r.Context(), id)
	if err != nil {
		return err
	}
	lines, err := s.Bank.BankStatement(r.Context(), id)
	if err != nil {
		return err
	}
	if lines == nil {
		lines = []chorus.StatementLine{}
	}
	WriteJSON(w, http.StatusOK, statementAnswer{Account: *a, Lines: lines})
	return nil
}

// sendBankCode is POST /api/admin/bank/accounts/{id}/code: the holder's
// phone gets an SMS code to tell staff, proving a gift or donation is
// their wish.
func (s *Server) sendBankCode(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	phone, err := s.Bank.BankHolderPhone(r.Context(), id)
	if err != nil {
		return err
	}
	sent, err := s.Store.SendVerification(r.Context(), phone, 0)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, verifySent{Sent: sent})
	return nil
}

// reverseTransfer is POST /api/admin/bank/transfers/{id}/reverse {reason}.
func (s *Server) reverseTransfer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	reason, err := decodeReason(w, r)
	if err != nil {
		return err
	}
	t, err := s.Bank.ReverseTransfer(r.Context(), id, operator(r), reason)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, t)
	return nil
}

// giftBody is POST /api/admin/bank/gifts: hours from an account to a
// relative (to_resident) or the pool (none), with the SMS code the holder
// read out.
type giftBody struct {
	FromAccount int64  `json:"from_account"`
	ToPhone     string `json:"to_phone"`
	Minutes     int    `json:"minutes"`
	Reason      string `json:"reason"`
	Code        string `json:"code"`
}

func (s *Server) giveHours(w http.ResponseWriter, r *http.Request) error {
	var b giftBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	phone, err := s.Bank.BankHolderPhone(r.Context(), b.FromAccount)
	if err != nil {
		return err
	}
	if len(b.Code) != 6 {
		return chorus.Errorf(chorus.EINVALID, "请输入本人手机收到的6位验证码。")
	}
	if err := s.Store.CheckVerification(r.Context(), phone, b.Code); err != nil {
		return err
	}
	g := chorus.BankGift{FromAccount: b.FromAccount, Minutes: b.Minutes, Reason: chorus.Shorten(b.Reason, 50), VerifiedPhone: phone}
	if b.ToPhone != "" {
		to, err := s.residentIn(r, b.ToPhone)
		if err != nil {
			return err
		}
		g.ToResident = to.ID
	}
	t, err := s.Bank.GiveHours(r.Context(), g, operator(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, t)
	return nil
}

// residentIn returns the scope's resident with phone; ENOTFOUND without
// one.
func (s *Server) residentIn(r *http.Request, phone string) (*chorus.Resident, error) {
	p, err := chorus.NormalizePhone(phone)
	if err != nil {
		return nil, err
	}
	res, err := s.Store.Resident(r.Context(), p)
	if err != nil || res == nil {
		if err == nil || chorus.ErrorCode(err) == chorus.ENOTFOUND {
			return nil, chorus.Errorf(chorus.ENOTFOUND, "这个号码还没有登记为本社区居民,请先找工作人员登记。")
		}
		return nil, err
	}
	return res, nil
}

// grantBody is POST /api/admin/bank/grants.
type grantBody struct {
	Phone   string `json:"phone"`
	Minutes int    `json:"minutes"`
	Reason  string `json:"reason"`
}

func (s *Server) grantHours(w http.ResponseWriter, r *http.Request) error {
	var b grantBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	res, err := s.residentIn(r, b.Phone)
	if err != nil {
		return err
	}
	t, err := s.Bank.GrantHours(r.Context(), res.ID, b.Minutes, operator(r), chorus.Shorten(b.Reason, 50))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) getBankRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.Bank.BankRules(r.Context())
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, rules)
	return nil
}

func (s *Server) saveBankRules(w http.ResponseWriter, r *http.Request) error {
	var rules chorus.BankRules
	if err := decode(w, r, &rules); err != nil {
		return err
	}
	if err := s.Bank.SaveBankRules(r.Context(), &rules, operator(r)); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, rules)
	return nil
}

// helpRequestsAnswer is GET /api/admin/help-requests.
type helpRequestsAnswer struct {
	Requests []chorus.HelpRequest `json:"requests"`
}

func (s *Server) listHelpRequests(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Bank.HelpRequests(r.Context(), chorus.HelpStatus(r.URL.Query().Get("status")))
	if err != nil {
		return err
	}
	if list == nil {
		list = []chorus.HelpRequest{}
	}
	WriteJSON(w, http.StatusOK, helpRequestsAnswer{Requests: list})
	return nil
}

// helpBody is POST /api/help-requests (a kiosk, or staff): the resident's
// phone and what they need. PoolPays is staff's approval only.
type helpBody struct {
	Phone    string         `json:"phone"`
	Service  string         `json:"service"`
	Day      string         `json:"day"`
	HalfDay  chorus.HalfDay `json:"half_day"`
	Note     string         `json:"note"`
	PoolPays bool           `json:"pool_pays"`
}

// helpReceipt is what a kiosk is told of the help it asked for: no name,
// no address, no balance.
type helpReceipt struct {
	ID      int64             `json:"id"`
	Service string            `json:"service"`
	Day     string            `json:"day"`
	HalfDay chorus.HalfDay    `json:"half_day"`
	When    string            `json:"when"`
	Status  chorus.HelpStatus `json:"status"`
}

// askHelp is POST /api/help-requests: 我要求助 at a kiosk (the phone
// proven there by its SMS code) or by staff.
func (s *Server) askHelp(w http.ResponseWriter, r *http.Request) error {
	var b helpBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	phone, err := chorus.NormalizePhone(b.Phone)
	if err != nil {
		return err
	}
	if err := s.requireProof(r, phone); err != nil {
		return err
	}
	res, err := s.residentIn(r, phone)
	if err != nil {
		return err
	}
	a := chorus.HelpAsk{ResidentID: res.ID, Service: b.Service, Day: b.Day, HalfDay: b.HalfDay, Note: b.Note, Channel: "kiosk"}
	approvedBy := ""
	if StaffFrom(r.Context()) != nil {
		a.Channel, approvedBy = "staff", operator(r)
	} else {
		b.PoolPays = false
	}
	h, err := s.Bank.AskHelp(r.Context(), a, b.PoolPays, approvedBy)
	if err != nil {
		return err
	}
	if StaffFrom(r.Context()) != nil {
		WriteJSON(w, http.StatusCreated, h)
		return nil
	}
	o := chorus.Order{Day: h.Day, HalfDay: h.HalfDay}
	WriteJSON(w, http.StatusCreated, helpReceipt{ID: h.ID, Service: h.Service, Day: h.Day, HalfDay: h.HalfDay,
		When: o.Window(s.Location), Status: h.Status})
	return nil
}

// helpServicesAnswer is GET /api/help-services: what a resident may ask
// for, and the days they may choose.
type helpServicesAnswer struct {
	Services []string `json:"services"`
	Days     []string `json:"days"`
}

func (s *Server) helpServices(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.Bank.BankRules(r.Context())
	if err != nil {
		return err
	}
	today := s.Now().In(s.Location)
	var days []string
	for i := range 7 {
		days = append(days, today.AddDate(0, 0, i).Format(time.DateOnly))
	}
	WriteJSON(w, http.StatusOK, helpServicesAnswer{Services: rules.Services, Days: days})
	return nil
}

func (s *Server) completeHelp(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		Hours string `json:"hours"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	m, err := chorus.HelpMinutes(b.Hours)
	if err != nil {
		return err
	}
	h, err := s.Bank.CompleteHelp(r.Context(), id, m)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, h)
	return nil
}

// confirmHelp is POST /api/admin/help-requests/{id}/confirm: staff confirm
// the hours (never their own: a staff member who volunteers is refused by
// their login's phone, when it is a volunteer's).
func (s *Server) confirmHelp(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	st := StaffFrom(r.Context())
	h, err := s.Bank.ConfirmHelp(r.Context(), id, st.Username, st.Phone)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, h)
	return nil
}

func (s *Server) approveHelp(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		PoolPays    bool `json:"pool_pays"`
		OverdraftOK bool `json:"overdraft_ok"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	h, err := s.Bank.ApproveHelp(r.Context(), id, b.PoolPays, b.OverdraftOK, operator(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, h)
	return nil
}

func (s *Server) cancelHelp(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	h, err := s.Bank.CancelHelp(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, h)
	return nil
}
