/* SPDX-License-Identifier: MIT */
/*
 * api.h — the handlers of the route table (routes.c), one group per api_<resource>.c file. Each is
 * a thin caller of src/app: it takes the path parameters and the parsed body from struct hq_req,
 * calls one use case and puts its JSON (or its refusal) in struct hq_res.
 */
#ifndef HQ_API_H
#define HQ_API_H

#include "hq_http.h"

#define HQ_API(name)                                                                               \
    int name(struct hq_app *a, struct hq_req *req, struct hq_res *res, struct hq_why *why)

HQ_API(api_health);
HQ_API(api_openapi);
HQ_API(api_docs); /* api_docs.c */
HQ_API(api_auth_login);
HQ_API(api_auth_logout);
HQ_API(api_auth_me);
HQ_API(api_hall_get);
HQ_API(api_hall_put);
HQ_API(api_hall_emergency);
HQ_API(api_services_list);
HQ_API(api_service_create);
HQ_API(api_service_update);
HQ_API(api_service_delete);
HQ_API(api_windows_list);
HQ_API(api_window_get);
HQ_API(api_window_create);
HQ_API(api_window_update);
HQ_API(api_window_action);
HQ_API(api_window_pending_eval);
HQ_API(api_staff_list);
HQ_API(api_staff_create);
HQ_API(api_staff_update);
HQ_API(api_devices_create);
HQ_API(api_devices_list);
HQ_API(api_device_update); /* api_devices.c */
HQ_API(api_device_revoke);
HQ_API(api_device_delete);
HQ_API(api_device_test_print);
HQ_API(api_pairing_start);
HQ_API(api_pairing_poll);
HQ_API(api_pairing_accept);
HQ_API(api_pairing_qr_png);
HQ_API(api_windows_retired);
HQ_API(api_window_retire);
HQ_API(api_window_restore);
HQ_API(api_window_delete);
HQ_API(api_service_delete_forever); /* api_records.c */
HQ_API(api_staff_delete_forever);
HQ_API(api_config_export);
HQ_API(api_config_import);
HQ_API(api_tickets_create);
HQ_API(api_tickets_list);
HQ_API(api_ticket_get);
HQ_API(api_ticket_qr);
HQ_API(api_ticket_cancel);
HQ_API(api_ticket_requeue);
HQ_API(api_ticket_rejoin);
HQ_API(api_ticket_rejoin_check);
HQ_API(api_display);
HQ_API(api_advice);
HQ_API(api_plan);         /* api_plan.c */
HQ_API(api_plan_what_if); /* api_plan.c */
HQ_API(api_plan_holidays_get);
HQ_API(api_plan_holidays_put);
HQ_API(api_stats); /* api_stats.c */
HQ_API(api_stats_compare);
HQ_API(api_report_csv);
HQ_API(api_report_xlsx);
HQ_API(api_report_pdf);
HQ_API(api_notices_create);
HQ_API(api_notice_delete);
HQ_API(api_evaluations_create);
HQ_API(api_evaluations_list);
HQ_API(api_complaints_create);
HQ_API(api_complaint_track);
/* api_complaints.c */
HQ_API(api_complaints_list);
HQ_API(api_complaint_get);
HQ_API(api_complaint_action);
HQ_API(api_complaint_verdict);
HQ_API(api_improvements_list);
HQ_API(api_improvement_create);
HQ_API(api_improvement_close);
/* api_media.c */
HQ_API(api_ticket_qr_png);
HQ_API(api_ticket_png);
HQ_API(api_ticket_pdf);
HQ_API(api_announcement);
/* A public link to path + id for QR codes: the hall's public_url, else the client's Host
 * (api_media.c). */
void hq__public_link(struct hq_app *a, const struct hq_req *req, const char *path, const char *id,
                     char *url, size_t cap);
/* The answer: url as a QR code, PNG (api_media.c). */
int hq__reply_qr(struct hq_res *res, const char *url, struct hq_why *why);
/* api_notify.c */
HQ_API(api_notifiers_list);
HQ_API(api_notifier_create);
HQ_API(api_notifier_update);
HQ_API(api_notifier_delete);
/* api_appointments.c */
HQ_API(api_appointment_slots);
HQ_API(api_appointment_book);
HQ_API(api_appointment_get);
HQ_API(api_appointment_cancel);
HQ_API(api_appointment_checkin);
HQ_API(api_appointments_list);
HQ_API(api_appointment_settings_get);
HQ_API(api_appointment_settings_put);
HQ_API(api_appointment_qr_png);
/* api_calendar.c */
HQ_API(api_calendar_get);
HQ_API(api_calendar_put);
/* api_ops.c (operations records, docs/OPERATIONS.md) */
HQ_API(api_ops_plans_list);
HQ_API(api_ops_plan_create);
HQ_API(api_ops_plan_get);
HQ_API(api_ops_plan_update);
HQ_API(api_ops_plan_delete);
HQ_API(api_ops_plan_review);
HQ_API(api_ops_schedules_list);
HQ_API(api_ops_schedule_create);
HQ_API(api_ops_schedule_update);
HQ_API(api_ops_schedule_delete);
HQ_API(api_ops_schedule_record);
HQ_API(api_ops_incidents_list);
HQ_API(api_ops_incident_open);
HQ_API(api_ops_incident_get);
HQ_API(api_ops_incident_action);
HQ_API(api_ops_facilities_list);
HQ_API(api_ops_facility_create);
HQ_API(api_ops_facility_update);
HQ_API(api_ops_facility_delete);
HQ_API(api_ops_facility_log);
HQ_API(api_ops_heartbeat);
HQ_API(api_ops_settings_get);
HQ_API(api_ops_settings_put);
HQ_API(api_ops_overview);
HQ_API(api_info_get);
HQ_API(api_info_put);

/* api_compliance.c, api_audit.c (branch compliance) */
HQ_API(api_compliance);
HQ_API(api_compliance_pdf);
HQ_API(api_compliance_settings_get);
HQ_API(api_compliance_settings_put);
HQ_API(api_training_list);
HQ_API(api_training_create);
HQ_API(api_training_update);
HQ_API(api_training_delete);
HQ_API(api_post_get);
HQ_API(api_post_put);
HQ_API(api_certifications_expiring);
HQ_API(api_audit);
HQ_API(api_audit_csv);
/* api_help.c (branch a11y) */
HQ_API(api_help_create);
HQ_API(api_help_get);
HQ_API(api_help_list);
HQ_API(api_help_ack);
HQ_API(api_help_close);
HQ_API(api_speech);
/* api_voice.c (voice packs) */
HQ_API(api_voice_get);
HQ_API(api_voice_put);
HQ_API(api_voice_pack_create);
HQ_API(api_voice_pack_get);
HQ_API(api_voice_pack_delete);
HQ_API(api_voice_pack_export);
HQ_API(api_voice_clip_put);
HQ_API(api_voice_clip_get);
HQ_API(api_voice_clip_delete);
HQ_API(api_voice_preview);
/* api_surveys.c */
HQ_API(api_questionnaires_list);
HQ_API(api_questionnaire_create);
HQ_API(api_questionnaire_get);
HQ_API(api_questionnaire_update);
HQ_API(api_questionnaire_version);
HQ_API(api_survey_active_get);
HQ_API(api_survey_active_put);
HQ_API(api_survey_answer);
HQ_API(api_survey_answers_list);
HQ_API(api_survey_analysis);

#endif
