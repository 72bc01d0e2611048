/* SPDX-License-Identifier: MIT */
/*
 * routes.c — the API route table: method, pattern, handler, roles, flags and a summary. The server
 * dispatches from it (authentication and roles are checked there, before the handler) and the
 * OpenAPI test checks web/openapi.json against it. /api/v1/events (SSE) is served by sse.c.
 */
#include "api.h"
#include "hq_http.h"

#define PUBLIC 0
#define STAFF HQ_R_STAFF
#define ADMIN HQ_R(HQ_ROLE_ADMIN)
#define MGR (HQ_R(HQ_ROLE_ADMIN) | HQ_R(HQ_ROLE_MANAGER))
#define COUNTER (MGR | HQ_R(HQ_ROLE_CLERK))
#define GUIDES (MGR | HQ_R(HQ_ROLE_GUIDE))
#define OPT HQ_RT_AUTH_OPTIONAL

const struct hq_route hq_routes[] = {
    {"GET", "/api/v1/health", api_health, PUBLIC, 0, "Liveness"},
    {"GET", "/api/v1/openapi.json", api_openapi, PUBLIC, 0, "This API as OpenAPI 3"},
    {"POST", "/api/v1/auth/login", api_auth_login, PUBLIC, 0, "Staff sign-in"},
    {"POST", "/api/v1/auth/logout", api_auth_logout, STAFF, 0, "End the session"},
    {"GET", "/api/v1/auth/me", api_auth_me, STAFF, 0, "Who is signed in"},
    {"GET", "/api/v1/hall", api_hall_get, PUBLIC, 0, "Hall settings and public information"},
    {"PUT", "/api/v1/hall", api_hall_put, ADMIN, 0, "Change hall settings"},
    {"POST", "/api/v1/hall/emergency", api_hall_emergency, MGR, 0,
     "Emergency (5.5): suspend or resume ticketing with a reason; carry the queue over to the "
     "next opening"},
    {"GET", "/api/v1/services", api_services_list, PUBLIC, 0, "Service catalogue"},
    {"POST", "/api/v1/services", api_service_create, ADMIN, 0, "Add a service"},
    {"PUT", "/api/v1/services/{code}", api_service_update, ADMIN, 0, "Change a service"},
    {"DELETE", "/api/v1/services/{code}", api_service_delete, ADMIN, 0, "Disable a service"},
    {"GET", "/api/v1/windows", api_windows_list, PUBLIC, 0, "Windows and their state"},
    {"POST", "/api/v1/windows", api_window_create, ADMIN, 0, "Add a window"},
    {"GET", "/api/v1/windows/{n}", api_window_get, PUBLIC, 0, "One window"},
    {"PUT", "/api/v1/windows/{n}", api_window_update, ADMIN, 0, "Change a window"},
    {"GET", "/api/v1/windows/{n}/pending-evaluation", api_window_pending_eval, PUBLIC, OPT,
     "The ticket the window's evaluation pad asks about (device or staff)"},
    {"POST", "/api/v1/windows/{n}/{action}", api_window_action, COUNTER, 0,
     "Clerk action: open, call-next, call, recall, start, finish, no-show, transfer, pause, "
     "resume, close"},
    {"GET", "/api/v1/staff", api_staff_list, MGR, 0, "Staff and certifications"},
    {"POST", "/api/v1/staff", api_staff_create, ADMIN, 0, "Add a staff member"},
    {"PUT", "/api/v1/staff/{username}", api_staff_update, ADMIN, 0, "Change a staff member"},
    {"GET", "/api/v1/devices", api_devices_list, ADMIN, 0, "Registered devices (without keys)"},
    {"POST", "/api/v1/devices", api_devices_create, ADMIN, 0,
     "Register a device (kiosk, pad, display); its key is shown once"},
    {"POST", "/api/v1/tickets", api_tickets_create, PUBLIC, OPT, "Take a ticket"},
    {"GET", "/api/v1/tickets", api_tickets_list, STAFF, 0, "Tickets of the day (staff)"},
    {"GET", "/api/v1/tickets/{id}", api_ticket_get, PUBLIC, 0, "A ticket by its secret id"},
    {"GET", "/api/v1/tickets/{id}/qr.svg", api_ticket_qr, PUBLIC, 0,
     "QR code of the ticket's tracking page"},
    {"GET", "/api/v1/tickets/{id}/qr.png", api_ticket_qr_png, PUBLIC, 0,
     "QR code of the ticket's tracking page as PNG"},
    {"GET", "/api/v1/tickets/{id}/ticket.png", api_ticket_png, PUBLIC, 0,
     "The ticket drawn as a PNG image, 80 mm wide (kiosks with a screen only)"},
    {"GET", "/api/v1/tickets/{id}/ticket.pdf", api_ticket_pdf, PUBLIC, 0,
     "The ticket as a one-page PDF, 80 mm wide"},
    {"POST", "/api/v1/tickets/{id}/cancel", api_ticket_cancel, PUBLIC, OPT,
     "Cancel a waiting ticket"},
    {"POST", "/api/v1/tickets/{id}/requeue", api_ticket_requeue, GUIDES, 0,
     "A no-show waits again"},
    {"GET", "/api/v1/display", api_display, PUBLIC, 0, "Snapshot for display boards"},
    {"GET", "/api/v1/announcements", api_announcement, PUBLIC, 0,
     "Call announcement as WAV: ?number=A001&window=3 (a ticket called there today)"},
    {"GET", "/api/v1/advice", api_advice, GUIDES, 0,
     "Live crowding advice: predicted waits against the target, windows to open, idle windows"},
    {"GET", "/api/v1/plan", api_plan, GUIDES, 0,
     "Window plan of a day: ?date=YYYY-MM-DD&target_wait_s=&service_level= — forecast arrivals "
     "per service and half hour, windows needed per service group, predicted waits"},
    {"POST", "/api/v1/plan/what-if", api_plan_what_if, MGR, 0,
     "Simulated waits with the given windows open per half hour"},
    {"GET", "/api/v1/plan/holidays", api_plan_holidays_get, GUIDES, 0,
     "Holidays the plan knows (closed, or worked as another weekday)"},
    {"PUT", "/api/v1/plan/holidays", api_plan_holidays_put, MGR, 0, "Replace the plan's holidays"},
    {"GET", "/api/v1/stats", api_stats, MGR, 0,
     "Statistics of local days ?from=YYYY-MM-DD&to=YYYY-MM-DD: tickets, waiting and service "
     "times, satisfaction with its 95% interval, per service, window, clerk (scorecards) and "
     "hour, with the sources in the event log"},
    {"GET", "/api/v1/stats/compare", api_stats_compare, MGR, 0,
     "Two periods (?a_from&a_to&b_from&b_to) or two windows (?from&to&window_a&window_b) "
     "compared: z test of the satisfaction rates, Welch t tests of mean level and wait"},
    {"GET", "/api/v1/reports/day.csv", api_report_csv, MGR, 0,
     "The day's report (?date=, or ?from&to) as CSV, UTF-8 with BOM"},
    {"GET", "/api/v1/reports/day.xlsx", api_report_xlsx, MGR, 0,
     "The day's report (?date=, or ?from&to) as an Excel workbook"},
    {"GET", "/api/v1/reports/day.pdf", api_report_pdf, MGR, 0,
     "The day's report (?date=, or ?from&to) as an A4 PDF with charts"},
    {"POST", "/api/v1/notices", api_notices_create, MGR, 0, "Post a notice to displays"},
    {"DELETE", "/api/v1/notices/{id}", api_notice_delete, MGR, 0, "Clear a notice"},
    {"POST", "/api/v1/evaluations", api_evaluations_create, PUBLIC, OPT,
     "Evaluate a finished service"},
    {"GET", "/api/v1/evaluations", api_evaluations_list, MGR, 0, "Recent evaluations"},
    {"POST", "/api/v1/complaints", api_complaints_create, PUBLIC, OPT, "Lodge a complaint"},
    {"GET", "/api/v1/complaints/track/{code}", api_complaint_track, PUBLIC, 0,
     "A complaint's status by tracking code"},
    {"POST", "/api/v1/complaints/track/{code}/verdict", api_complaint_verdict, PUBLIC, 0,
     "The complainant's verdict on a resolved complaint: satisfied closes it, not satisfied "
     "(with a comment) reopens it"},
    {"GET", "/api/v1/complaints", api_complaints_list, MGR, 0,
     "Complaints, newest first: ?status=open|received|…&overdue=true, with overdue counts"},
    {"GET", "/api/v1/complaints/{code}", api_complaint_get, MGR, 0,
     "One complaint in full (contact, content, internal notes, allowed actions)"},
    {"POST", "/api/v1/complaints/{code}/{action}", api_complaint_action, MGR, 0,
     "Handle a complaint: acknowledge, assess, resolve, verdict (entered by staff), close, "
     "escalate"},
    {"GET", "/api/v1/improvements", api_improvements_list, MGR, 0,
     "Improvement actions (9.2.1): ?status=open|done"},
    {"POST", "/api/v1/improvements", api_improvement_create, MGR, 0,
     "Raise an improvement action (from a resolved complaint, an evaluation, an incident …)"},
    {"POST", "/api/v1/improvements/{id}/close", api_improvement_close, MGR, 0,
     "Mark an improvement action done"},
    {NULL, NULL, NULL, 0, 0, NULL},
};
